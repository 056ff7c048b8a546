// The domain, composed: every dialect talks to these services and to nothing below them.
import type { Bus } from '../bus/bus.js';
import type { Store } from '../store/store.js';
import { Accounts } from './accounts.js';
import { Conversations } from './conversations.js';
import type { CoreEvent } from './events.js';
import { Messages } from './messages.js';
import { Presence } from './presence.js';
import { PushWebhook } from './push.js';
import { Rooms, type UploadLimits } from './rooms.js';
import { AttachmentFiles } from '../store/attachment-files.js';

export interface CoreOptions {
  dataDir: string;
  uploadLimits: UploadLimits;
  pushWebhookUrl: string | undefined;
  /** Failures that must not fail a request (a push webhook that is down). */
  onBackgroundError(error: unknown): void;
}

export class Core {
  readonly accounts: Accounts;
  readonly conversations: Conversations;
  readonly messages: Messages;
  readonly presence = new Presence();
  readonly rooms: Rooms;

  constructor(
    readonly store: Store,
    readonly bus: Bus<CoreEvent>,
    options: CoreOptions,
  ) {
    this.accounts = new Accounts(store, bus);
    this.conversations = new Conversations(store, bus);
    this.messages = new Messages(store, bus, this.conversations);
    this.rooms = new Rooms(store, bus, this.accounts, this.conversations, this.presence,
      new PushWebhook(options.pushWebhookUrl, options.onBackgroundError), new AttachmentFiles(options.dataDir), options.uploadLimits);
  }
}
