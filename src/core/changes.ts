// The change log, as the core sees it: every change to a conversation whose kind keeps one
// (kinds.ts logsChanges) is written with its event, and each live event carries the position it
// got. A socket that comes back with the last position it saw is replayed the events after it,
// page by page, in order, with what was deleted since hidden, as history hides it.
import type { Change } from '../store/changes.js';
import type { Store } from '../store/store.js';
import type { LoggedEvent } from './events.js';

/** Changes read from the log at once while replaying. */
export const REPLAY_PAGE_SIZE = 500;

/** The log entry of an event, to write with the change it tells. */
export function logEntry(event: LoggedEvent): Change {
  return { conversationId: event.conversation.id, event: JSON.stringify(event) };
}

/** A page of replayed events (each with its position), where the next page starts, or why none can be told. */
export type ReplayPage =
  | { events: LoggedEvent[]; next: number | null }
  /** Some changes after the position are no longer kept: refetch the history. */
  | 'too_old'
  /** No change was ever logged at that position. */
  | 'unknown';

export class ChangeReplay {
  constructor(private readonly store: Store) {}

  /** The changes of the conversation after position `after`, oldest first, at most REPLAY_PAGE_SIZE. */
  async page(conversationId: number, after: number): Promise<ReplayPage> {
    const read = await this.store.changes.after(conversationId, after, REPLAY_PAGE_SIZE);
    if (read === 'too_old' || read === 'unknown') return read;
    const events = read.changes.map(({ position, event }) => ({ ...(JSON.parse(event) as LoggedEvent), position }));
    const deleted = await this.deletedAmong(events);
    const last = read.changes.at(-1);
    return {
      events: events.map((event) => hideDeleted(event, deleted)),
      next: read.changes.length === REPLAY_PAGE_SIZE && last ? last.position : null,
    };
  }

  /** The position of the conversation's latest change; 0 before the first. */
  async latest(conversationId: number): Promise<number> {
    return this.store.changes.latest(conversationId);
  }

  /** Which of the messages the events show (their parents too) are deleted by now. */
  private async deletedAmong(events: readonly LoggedEvent[]): Promise<Set<number>> {
    const ids = new Set<number>();
    for (const event of events) {
      if (event.type === 'message.created') {
        ids.add(event.message.id);
        if (event.message.parent) ids.add(event.message.parent.id);
      } else if (event.type === 'message.edited') ids.add(event.messageId);
    }
    const messages = await this.store.messages.findMany([...ids]);
    return new Set(messages.filter((m) => m.deletedAt !== null).map((m) => m.id));
  }
}

/** Deleted content is never shown again: a replayed message deleted since comes without it. */
function hideDeleted(event: LoggedEvent, deleted: ReadonlySet<number>): LoggedEvent {
  if (event.type === 'message.edited' && deleted.has(event.messageId)) return { ...event, body: '' };
  if (event.type !== 'message.created') return event;
  const { message } = event;
  const parent = message.parent && deleted.has(message.parent.id) ? { ...message.parent, body: '' } : message.parent;
  if (!deleted.has(message.id) && parent === message.parent) return event;
  const hidden = deleted.has(message.id) ? { body: '', attachment: null } : {};
  return { ...event, message: { ...message, ...hidden, parent } };
}
