// The state of a socket's link to the server, as the reader is told it: what the sockets report
// and how several of them add up for one view.

export type Link =
  | { state: 'connecting' }
  | { state: 'connected' }
  /** Lost; `retryAt` is when the next attempt starts, absent while one is under way. */
  | { state: 'reconnecting'; retryAt?: number }
  /** The browser has no network, or the server closed the socket for good: no retries. */
  | { state: 'offline' };

const SEVERITY: Record<Link['state'], number> = { connected: 0, connecting: 1, reconnecting: 2, offline: 3 };

/** The state a view made of several sockets is in: its worst socket's; of two waiting, the later retry. */
export function worstLink(links: readonly Link[]): Link {
  let worst: Link = { state: 'connected' };
  for (const link of links) {
    const severity = SEVERITY[link.state] - SEVERITY[worst.state];
    const laterRetry = link.state === 'reconnecting' && worst.state === 'reconnecting' && (link.retryAt ?? 0) > (worst.retryAt ?? 0);
    if (severity > 0 || (severity === 0 && laterRetry)) worst = link;
  }
  return worst;
}

/** `label` is announced to screen readers once per change of state; `detail` (the countdown) is only shown. */
export function describeLink(link: Link, now: number): { label: string; detail: string } {
  switch (link.state) {
    case 'connected':
      return { label: 'Connected', detail: '' };
    case 'connecting':
      return { label: 'Connecting', detail: '…' };
    case 'offline':
      return { label: 'Offline', detail: '' };
    case 'reconnecting': {
      const seconds = link.retryAt === undefined ? 0 : Math.ceil((link.retryAt - now) / 1000);
      return { label: 'Reconnecting', detail: seconds > 0 ? ` in ${seconds} s` : '…' };
    }
  }
}
