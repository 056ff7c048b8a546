// My messages on their way to the server over one socket, until the server confirms or refuses
// them. A message waits while the socket is down and is written when it opens. One written to a
// socket that then drops may or may not have arrived: where the frame carries a client id the
// server recognises a repeat by (`resendsLost`: the rooms dialect's client_id), it is written
// again, unchanged, once the socket is back; otherwise it fails and the reader decides whether
// to retry.

export interface OutboxSocket {
  readonly connected: boolean;
  send(frame: object): void;
}

type Status = 'waiting' | 'written' | 'refused' | 'lost';

interface Entry<F> {
  messageId: string;
  frame: F;
  status: Status;
  /** When it was written, on the outbox's clock of writes and refusals. */
  writtenAt: number;
  /** When the refusal it was given arrived. */
  refusedAt: number;
  reason: string;
}

export const LOST_REASON = 'the connection dropped before the server confirmed it';

export class Outbox<F extends object> {
  private readonly entries: Array<Entry<F>> = [];
  private clock = 0;

  constructor(
    private readonly socket: OutboxSocket,
    private readonly failed: (messageId: string, reason: string) => void,
    /** The server stores a frame written twice once: a lost one is resent rather than failed. */
    private readonly resendsLost = false,
  ) {}

  send(messageId: string, frame: F): void {
    this.entries.push({ messageId, frame, status: 'waiting', writtenAt: 0, refusedAt: 0, reason: '' });
    this.flush();
  }

  /** Writes what waited; called when the socket opens. */
  flush(): void {
    for (const entry of this.entries) {
      if (entry.status !== 'waiting' || !this.socket.connected) continue;
      this.socket.send(entry.frame);
      entry.status = 'written';
      entry.writtenAt = ++this.clock;
    }
  }

  /** The socket dropped: every written message not yet confirmed waits to be resent, or fails. */
  lost(): void {
    for (const entry of this.entries) {
      if (entry.status !== 'written') continue;
      if (this.resendsLost) entry.status = 'waiting';
      else this.fail(entry, 'lost', LOST_REASON);
    }
  }

  /**
   * The server refused a frame: the socket answers in order, so the oldest written message is
   * the one refused. Where a refusal does not name its frame (the rooms dialect) it may have
   * been another frame's; `confirm` moves it on when the message it was given turns out sent.
   */
  refuse(reason: string): void {
    const entry = this.entries.find((e) => e.status === 'written');
    if (entry) this.fail(entry, 'refused', reason, ++this.clock);
  }

  /** The server confirmed the oldest message whose frame matches; returns its id. */
  confirm(matches: (frame: F) => boolean): string | undefined {
    const index = this.entries.findIndex((e) => (e.status === 'written' || e.status === 'refused') && matches(e.frame));
    const entry = this.entries[index];
    if (!entry) return undefined;
    this.entries.splice(index, 1);
    if (entry.status === 'refused') {
      const refused = this.entries.find((e) => e.status === 'written' && e.writtenAt < entry.refusedAt);
      if (refused) this.fail(refused, 'refused', entry.reason, entry.refusedAt);
    }
    return entry.messageId;
  }

  /** Takes a message out (to retry it, or because it turned out delivered); returns its frame. */
  forget(messageId: string): F | undefined {
    const index = this.entries.findIndex((e) => e.messageId === messageId);
    return index < 0 ? undefined : this.entries.splice(index, 1)[0]?.frame;
  }

  private fail(entry: Entry<F>, status: 'refused' | 'lost', reason: string, refusedAt = 0): void {
    entry.status = status;
    entry.reason = reason;
    entry.refusedAt = refusedAt;
    this.failed(entry.messageId, reason);
  }
}
