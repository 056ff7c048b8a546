// What the runner and its load-generating workers say to each other over IPC.

export interface PersonalUser {
  /** Index of the user's receive socket (deliveries and receipts arrive here). */
  rx: number;
  /** Index of the user's send socket (new_msg out, msg_sent back). */
  tx: number;
  phone: string;
  peerPhone: string;
}

export type Command =
  | { op: 'connect'; sockets: Array<{ url: string }>; localAddresses: string[]; concurrency: number }
  | { op: 'fanout'; senders: number[]; rate: number; durationMs: number; settleMs: number; padding: number }
  | { op: 'personal'; users: PersonalUser[]; rate: number; durationMs: number; settleMs: number }
  | { op: 'http'; url: string; headers: Record<string, string>; concurrency: number; durationMs: number; localAddress: string }
  | { op: 'fetch'; urls: string[]; phone: string; localAddress: string }
  | { op: 'close' };

export interface StepResult {
  sent: number;
  received: number;
  errors: number;
  /** Bytes of the frames received. */
  bytes: number;
  /** Histogram counts (see stats.ts) of the step's main latency. */
  latency: number[];
  /** Histogram counts of a second latency (msg_sent in the phone scenario), else empty. */
  secondary: number[];
  unacknowledged?: number;
}

export type WorkerReply = { ok: true; result: unknown } | { ok: false; error: string };

/** What one socket of the fetch scenario got: every fetched message, or what stopped it. */
export interface FetchSocketResult {
  /** Messages listed in the chunks received. */
  messages: number;
  /** Distinct messages among them (by their unique timestamps). */
  distinct: number;
  chunks: number;
  /** Whether the chunk with `all: true` arrived. */
  complete: boolean;
  /** The close code, when the server closed the socket before the last chunk. */
  closeCode: number | null;
  ms: number;
}
