// The domain, composed: every dialect talks to these services and to nothing below them.
import type { Bus } from '../bus/bus.js';
import type { Store } from '../store/store.js';
import { Accounts } from './accounts.js';
import { Conversations } from './conversations.js';
import type { CoreEvent } from './events.js';
import { Groups } from './groups.js';
import { Matches } from './matches.js';
import { Messages } from './messages.js';
import type { Presence } from './presence.js';

export interface CoreOptions {
  /** How long a match room lasts before it ends by itself. */
  matchRoomHours: number;
}

export class Core {
  readonly accounts: Accounts;
  readonly conversations: Conversations;
  readonly messages: Messages;
  readonly groups: Groups;
  readonly matches: Matches;

  constructor(
    readonly store: Store,
    readonly bus: Bus<CoreEvent>,
    readonly presence: Presence,
    options: CoreOptions,
  ) {
    this.accounts = new Accounts(store, bus);
    this.conversations = new Conversations(store, bus);
    this.messages = new Messages(store, bus, this.conversations);
    this.groups = new Groups(store, bus, this.conversations);
    this.matches = new Matches(store, bus, this.accounts, this.conversations, options.matchRoomHours);
  }
}
