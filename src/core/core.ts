// The domain, composed: every dialect talks to these services and to nothing below them.
import type { Bus } from '../bus/bus.js';
import { AttachmentFiles } from '../store/attachment-files.js';
import type { Store } from '../store/store.js';
import { Accounts } from './accounts.js';
import { ChangeReplay } from './changes.js';
import { Conversations } from './conversations.js';
import type { CoreEvent } from './events.js';
import { LoginThrottle, type LoginCounters } from './login-throttle.js';
import { PasswordHasher, type ScryptCost } from './passwords.js';
import { Groups } from './groups.js';
import { Matches } from './matches.js';
import { MessageViews } from './message-views.js';
import { Messages, type MentionNotice, type MessageStored } from './messages.js';
import type { Presence } from './presence.js';
import { PushWebhook, type PushTarget } from './push.js';
import { Rooms } from './rooms.js';
import { Search } from './search.js';
import { EditHistory } from './edit-history.js';
import { Uploads, type UploadLimits } from './uploads.js';

export interface CoreOptions {
  /** How long a match room lasts before it ends by itself. */
  matchRoomHours: number;
  dataDir: string;
  uploadLimits: UploadLimits;
  /** Where stored room messages are pushed for offline members, if anywhere. */
  push: PushTarget | undefined;
  /** How the notification of a mention in a room reads (the rooms dialect's words). */
  mentionNotice: MentionNotice;
  /** scrypt parameters of new password hashes. */
  passwordCost: ScryptCost;
  /** Where failed log-ins are counted (memory, or Redis shared by every process). */
  loginCounters: LoginCounters;
  /** Failures that must not fail a request (a push webhook that is down). */
  onBackgroundError(error: unknown): void;
  /** Each message committed, whatever the kind of its conversation (for the metrics). */
  onMessageStored?: MessageStored;
}

export class Core {
  private readonly cachesDropped: Array<() => void> = [];
  readonly accounts: Accounts;
  readonly conversations: Conversations;
  readonly messages: Messages;
  readonly views: MessageViews;
  readonly uploads: Uploads;
  readonly groups: Groups;
  readonly matches: Matches;
  readonly rooms: Rooms;
  readonly search: Search;
  readonly editHistory: EditHistory;
  /** What a resuming socket missed, from the change log. */
  readonly changes: ChangeReplay;

  constructor(
    readonly store: Store,
    readonly bus: Bus<CoreEvent>,
    readonly presence: Presence,
    options: CoreOptions,
  ) {
    this.accounts = new Accounts(store, bus, new PasswordHasher(options.passwordCost), new LoginThrottle(options.loginCounters));
    this.conversations = new Conversations(store, bus);
    const files = new AttachmentFiles(options.dataDir);
    this.views = new MessageViews(store, this.accounts);
    this.messages = new Messages({
      store,
      bus,
      conversations: this.conversations,
      views: this.views,
      presence,
      push: new PushWebhook(options.push, options.onBackgroundError),
      files,
      onStored: options.onMessageStored ?? (() => undefined),
      mentionNotice: options.mentionNotice,
    });
    this.uploads = new Uploads(store, this.messages, files, options.uploadLimits);
    this.groups = new Groups(store, bus, this.conversations, this.accounts);
    this.matches = new Matches(store, bus, this.accounts, this.conversations, options.matchRoomHours);
    this.rooms = new Rooms(store, bus, this.accounts, this.conversations, this.messages, files);
    this.search = new Search(store, this.views, this.rooms);
    this.editHistory = new EditHistory(store, this.rooms);
    this.changes = new ChangeReplay(store);
    // Invalidations published while the bus was away never arrived, and another process writing
    // the same SQLite file (the command line) publishes none here: forget everything cached.
    bus.onResumed(() => this.dropCaches());
    store.watchForeignWrites(() => this.dropCaches());
  }

  /**
   * Calls `listener` after every cache was dropped because changes may have gone unannounced;
   * what is held outside the caches (a socket's token) must be checked against the store again.
   */
  onCachesDropped(listener: () => void): void {
    this.cachesDropped.push(listener);
  }

  private dropCaches(): void {
    this.accounts.forgetAll();
    this.conversations.forgetAll();
    for (const listener of this.cachesDropped) listener();
  }
}
