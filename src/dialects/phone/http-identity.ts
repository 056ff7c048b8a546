// Who a phone-dialect request is about: the phones in its body, checked against the caller.
import type { FastifyRequest } from 'fastify';
import type { Core } from '../../core/core.js';
import { caller } from '../../http/app.js';
import { HttpError, NOT_FOUND } from '../../http/errors.js';
import type { AccountRecord } from '../../store/records.js';

/** The account with this phone, or the original's 404. */
export async function accountByPhone(core: Core, phone: string): Promise<AccountRecord> {
  const found = await core.accounts.byPhone(phone);
  if (!found) throw NOT_FOUND;
  return found;
}

/** The caller, who must be the phone the body speaks for (`field` names it in the refusal). */
export function actingAs(request: FastifyRequest, phone: string, field: string): AccountRecord {
  const me = caller(request);
  if (me.phone !== phone) {
    throw new HttpError(403, { detail: `${field} must be your own phone.`, code: 'identity_mismatch' });
  }
  return me;
}
