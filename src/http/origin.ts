// Whether a browser request comes from one of Parley's own pages. Parley's own origin is that of
// PARLEY_PUBLIC_URL when it is set, else the host the request was sent to (its Host header).
import type { IncomingHttpHeaders } from 'node:http';

/** `unstated`: neither Origin nor Referer came, which browsers do not do on such requests. */
export type RequestOrigin = 'own' | 'foreign' | 'unstated';

export function requestOrigin(headers: IncomingHttpHeaders, publicUrl: string | undefined): RequestOrigin {
  const stated = headers.origin ?? headers.referer;
  if (stated === undefined || stated === '') return 'unstated';
  let url: URL;
  try {
    url = new URL(stated);
  } catch {
    // Including `Origin: null` (sandboxed frames, opaque redirects).
    return 'foreign';
  }
  if (publicUrl !== undefined) return url.origin === new URL(publicUrl).origin ? 'own' : 'foreign';
  return url.host === headers.host ? 'own' : 'foreign';
}
