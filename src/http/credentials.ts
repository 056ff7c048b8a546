// Where a caller's key can come from: `Authorization: Token <key>`, `?token=<key>` (sockets
// only) or the HttpOnly session cookie set by the web client's login.
import type { IncomingHttpHeaders } from 'node:http';
import { fastifyCookie } from '@fastify/cookie';

export const SESSION_COOKIE = 'parley_session';

export interface PresentedKey {
  key: string;
  source: 'header' | 'query' | 'cookie';
}

/**
 * The key of an HTTP request: the Authorization header wins over the cookie. `cookies` are the
 * request's parsed cookies; a value that does not decode is kept as it came and is no key.
 */
export function keyFromRequest(authorization: string | undefined, cookies: Record<string, string | undefined>): PresentedKey | undefined {
  if (authorization) {
    const match = /^(?:Token|Bearer)\s+(\S+)\s*$/i.exec(authorization);
    return { key: match?.[1] ?? '', source: 'header' };
  }
  const cookie = cookies[SESSION_COOKIE];
  return cookie === undefined ? undefined : { key: cookie, source: 'cookie' };
}

/** The key of a socket upgrade: `?token=` first (browsers cannot set headers on sockets). */
export function keyFromUpgrade(headers: IncomingHttpHeaders, url: URL): PresentedKey | undefined {
  const fromQuery = url.searchParams.get('token');
  if (fromQuery !== null) return { key: fromQuery, source: 'query' };
  return keyFromRequest(headers.authorization, headers.cookie ? fastifyCookie.parse(headers.cookie) : {});
}
