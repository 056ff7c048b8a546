// Where a caller's key can come from: `Authorization: Token <key>`, `?token=<key>` (sockets
// only) or the HttpOnly session cookie set by the web client's login.
import type { IncomingHttpHeaders } from 'node:http';

export const SESSION_COOKIE = 'parley_session';

export interface PresentedKey {
  key: string;
  source: 'header' | 'query' | 'cookie';
}

export function keyFromHeaders(headers: IncomingHttpHeaders): PresentedKey | undefined {
  const authorization = headers.authorization;
  if (authorization) {
    const match = /^(?:Token|Bearer)\s+(\S+)\s*$/i.exec(authorization);
    return { key: match?.[1] ?? '', source: 'header' };
  }
  const cookie = readCookie(headers.cookie, SESSION_COOKIE);
  return cookie === undefined ? undefined : { key: cookie, source: 'cookie' };
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

export function sessionCookie(key: string): string {
  return `${SESSION_COOKIE}=${key}; Path=/; HttpOnly; SameSite=Strict; Max-Age=31536000`;
}

export const CLEARED_SESSION_COOKIE = `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;

/**
 * A cookie rides along with any request the browser makes, so a socket authenticated by cookie
 * must come from a page of this server (cross-site WebSocket hijacking).
 */
export function sameOrigin(headers: IncomingHttpHeaders): boolean {
  const origin = headers.origin;
  if (!origin) return true;
  try {
    return new URL(origin).host === headers.host;
  } catch {
    return false;
  }
}
