// Resuming a room socket: /ws/chat/<id>/?since=<position> first replays, in order and once, every
// change of the room after that position (core/changes.ts), rendered as the live frames were,
// then the socket goes live. The socket subscribes before replaying, and the gateway holds the
// live events that arrive meanwhile until the session opens; those at or before the last
// replayed position are then skipped, so the seam has no gap and no duplicate.
import type { Core } from '../../core/core.js';
import { CLOSE } from '../../gateway/limits.js';
import { DialectFrames } from '../../gateway/rendered.js';
import { SocketRefusal } from '../../gateway/session.js';
import { roomEventFrame, type RoomViewer } from './encode.js';

/** A position as the `since` parameter writes it: 0 (nothing seen yet) or up to 15 digits. */
const POSITION = /^\d{1,15}$/;

/** The `since` parameter of the socket's URL, if given; a malformed one refuses the socket. */
export function sinceOf(query: URLSearchParams): number | undefined {
  const values = query.getAll('since');
  if (values.length === 0) return undefined;
  const [value] = values;
  if (values.length > 1 || value === undefined || !POSITION.test(value)) {
    throw new SocketRefusal(CLOSE.badRequest, "'since' must be one position: 0 or a whole number of up to 15 digits");
  }
  return Number(value);
}

/**
 * Sends the frames of the room's changes after `since`, oldest first, each after the one before
 * has gone out at the reader's pace; answers the position live frames continue after. When the
 * changes are no longer all kept (or the position was never handed out), one refetch frame says
 * so, with the position to continue after once the history is fetched again.
 */
export async function replay(core: Core, roomId: number, since: number, viewer: RoomViewer, send: (frame: string) => Promise<void>): Promise<number> {
  let after = since;
  for (;;) {
    const page = await core.changes.page(roomId, after);
    if (page === 'too_old' || page === 'unknown') {
      const latest = await core.changes.latest(roomId);
      await send(refetchFrame(page, latest));
      return latest;
    }
    for (const event of page.events) {
      const frame = roomEventFrame(event, viewer, new DialectFrames());
      if (frame !== undefined) await send(frame);
      after = event.position ?? after;
    }
    if (page.next === null) return after;
  }
}

/** Tells the client its state cannot be brought up to date by replay: fetch the history again. */
export function refetchFrame(reason: 'too_old' | 'unknown', position: number): string {
  return JSON.stringify({ action: 'refetch_history', reason, position });
}
