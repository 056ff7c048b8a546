// Bounds on the work one request or one frame may cause, in one place, each with why.

/**
 * Deliveries a fetch reads from the store per step. A step is two indexed queries and the
 * rendering of at most this many messages: about a millisecond of the event loop (SQLite runs
 * on it), so nothing else waits long for a fetch, however large the backlog. A multiple of ten,
 * the size of a fetch chunk, so that pages split into whole chunks.
 */
export const FETCH_PAGE_SIZE = 100;

/**
 * Accounts one request may name to become members (a room's `members`, a group's `admin` or
 * `participants`). They are resolved in one query and inserted in one statement; at 500 that
 * is a few milliseconds of the store, and far below SQLite's 32,766 bound parameters (a member
 * row binds six). Bigger rooms are filled in several requests.
 */
export const MAX_MEMBERS_PER_REQUEST = 500;

/**
 * How long a sent message's key is kept, so that its resend is known as a repeat (idempotent
 * send): a client retries within seconds or, offline, within days; a week covers both. A repeat
 * after this is stored as a new message.
 */
export const REPEAT_WINDOW_SECONDS = 7 * 24 * 3600;
