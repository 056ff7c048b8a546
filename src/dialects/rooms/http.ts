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

/**
 * DRF's `next` and `previous` of a page at `url`: `page` is left out for the first page, and
 * `page_size` is kept when the request gave one, and so are the request's parameters named in `keep`.
 */
export function pageLinks(
  url: string,
  request: FastifyRequest,
  { page, size, count }: { page: number; size: number; count: number },
  keep: readonly string[] = [],
): { next: string | null; previous: string | null } {
  const query = request.query as Record<string, unknown>;
  const link = (target: number): string => {
    const params = new URLSearchParams();
    for (const name of keep) if (typeof query[name] === 'string') params.set(name, query[name]);
    if (target > 1) params.set('page', String(target));
    if (typeof query.page_size === 'string') params.set('page_size', String(size));
    const search = params.toString();
    return `${url}${search ? `?${search}` : ''}`;
  };
  return { next: page * size < count ? link(page + 1) : null, previous: page > 1 ? link(page - 1) : null };
}
