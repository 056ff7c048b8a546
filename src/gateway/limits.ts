// The socket limits, in one place.

/** Close codes Parley uses (4000–4999 is the application range). */
export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  /** The server could not open the session (store unreachable, say); 1011 is never used. */
  tryAgainLater: 1013,
  /** A parameter of the socket's URL is not one the route reads (the reason says which). */
  badRequest: 4400,
  unauthenticated: 4401,
  forbidden: 4403,
  notFound: 4404,
  tooSlow: 4408,
  rateLimited: 4429,
} as const;

/** Frames larger than this are refused by ws itself (close 1009); dialects set lower soft caps. */
export const MAX_PAYLOAD_BYTES = 1024 * 1024;
/** A socket whose unsent data grows past this is closed with CLOSE.tooSlow. */
export const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/**
 * A long answer (a fetch) waits for the socket to drain whenever this much is unsent, so it
 * holds one page in memory rather than the whole answer, and a reader that reads is never
 * pushed past MAX_BUFFERED_BYTES by it.
 */
export const PACED_SEND_BYTES = 256 * 1024;
/** A long answer's reader that drains nothing for this long is closed with CLOSE.tooSlow. */
export const DRAIN_WAIT_MS = 30_000;
/** Token bucket per socket: this many frames at once, refilled at FRAMES_PER_SECOND. */
export const FRAME_BURST = 200;
export const FRAMES_PER_SECOND = 100;
/** On shutdown, how long a socket may take to finish the frames it already sent. */
export const DRAIN_TIMEOUT_MS = 10_000;
/** Sockets the heartbeat pings in one event-loop turn (about 35 µs each). */
export const HEARTBEAT_CHUNK = 256;
