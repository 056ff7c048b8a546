// What the rooms dialect's HTTP routes share: the rest context of a request and id parsing.
import type { FastifyRequest } from 'fastify';
import type { Core } from '../../core/core.js';
import { NOT_FOUND } from '../../http/errors.js';
import type { RestContext } from './render.js';

export interface RoomsHttpOptions {
  timeZone: string;
  publicUrl: string | undefined;
}


export function baseUrlOf(request: FastifyRequest, options: RoomsHttpOptions): string {
  return options.publicUrl ?? `${request.protocol}://${request.host}`;
}

/** What rendering a response needs; the presence of the `people` it will show is read up front. */
export async function restContext(
  request: FastifyRequest,
  core: Core,
  options: RoomsHttpOptions,
  viewerId: number,
  people: readonly number[] = [],
): Promise<RestContext> {
  const statuses = await core.presence.statuses([...new Set(people)]);
  return {
    timeZone: options.timeZone,
    baseUrl: baseUrlOf(request, options),
    viewerId,
    presence: (id) => statuses.get(id) ?? OFFLINE,
  };
}

const OFFLINE = { active: false, lastActive: null } as const;

/** A numeric id from the path; anything else is a plain 404 (the original answered 500). */
export function pathId(value: string): number {
  if (!/^\d{1,15}$/.test(value)) throw NOT_FOUND;
  return Number(value);
}
