// The domain, composed: every dialect talks to these services and to nothing below them.
import type { Bus } from '../bus/bus.js';
import type { Store } from '../store/store.js';
import { Accounts } from './accounts.js';
import { Conversations } from './conversations.js';
import type { CoreEvent } from './events.js';
import { Messages } from './messages.js';
import type { Presence } from './presence.js';

export class Core {
  readonly accounts: Accounts;
  readonly conversations: Conversations;
  readonly messages: Messages;

  constructor(
    readonly store: Store,
    readonly bus: Bus<CoreEvent>,
    readonly presence: Presence,
  ) {
    this.accounts = new Accounts(store, bus);
    this.conversations = new Conversations(store, bus);
    this.messages = new Messages(store, bus, this.conversations);
  }
}
