// One live socket: sends with a cap on unsent bytes, takes frames at a bounded rate and hands
// them to its session one at a time, in order.
import type { WebSocket } from 'ws';
import type { AccountRecord } from '../store/records.js';
import { CLOSE, FRAME_BURST, FRAMES_PER_SECOND, MAX_BUFFERED_BYTES } from './limits.js';
import type { SocketSession } from './session.js';

export class Connection {
  session: SocketSession | undefined;
  alive = true;
  private tokens = FRAME_BURST;
  private refilledAt = Date.now();
  private inbox: Promise<void> = Promise.resolve();

  constructor(
    readonly socket: WebSocket,
    readonly account: AccountRecord,
    private readonly onError: (error: unknown) => void,
  ) {}

  get open(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  send(frame: string): void {
    if (!this.open) return;
    if (this.socket.bufferedAmount + frame.length > MAX_BUFFERED_BYTES) {
      this.close(CLOSE.tooSlow, 'too slow: send buffer full');
      return;
    }
    this.socket.send(frame);
  }

  close(code: number, reason: string): void {
    if (this.socket.readyState === this.socket.CLOSED || this.socket.readyState === this.socket.CLOSING) return;
    this.socket.close(code, reason);
  }

  /** Holds every frame received from now on until `opening` settles (the session is being opened). */
  holdUntil(opening: Promise<unknown>): void {
    this.inbox = this.inbox.then(() => opening.then(() => undefined, () => undefined));
  }

  /** Queues an incoming frame behind the ones before it; refuses a client over its rate. */
  receive(text: string): void {
    if (!this.takeToken()) {
      this.close(CLOSE.rateLimited, 'rate limited');
      return;
    }
    this.inbox = this.inbox.then(async () => {
      if (!this.open || !this.session) return;
      try {
        await this.session.onFrame(text);
      } catch (error) {
        this.onError(error);
      }
    });
  }

  private takeToken(): boolean {
    const nowMs = Date.now();
    this.tokens = Math.min(FRAME_BURST, this.tokens + ((nowMs - this.refilledAt) / 1000) * FRAMES_PER_SECOND);
    this.refilledAt = nowMs;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
