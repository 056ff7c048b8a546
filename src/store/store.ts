// Persistence behind one interface, one module per aggregate. The core calls these; nothing
// above the store writes SQL.
import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import { SqlAccountStore, type AccountStore } from './accounts.js';
import { SqlAnnotationStore, type AnnotationStore } from './annotations.js';
import { SqlAttachmentStore, type AttachmentStore } from './attachments.js';
import { ChangeLog } from './changes.js';
import { SqlConversationStore, type ConversationStore } from './conversations.js';
import { ForeignWrites } from './foreign-writes.js';
import { GroupCommit } from './group-commit.js';
import { SqlMessageStore, type MessageStore } from './messages.js';
import { SqlNotificationStore, type NotificationStore } from './notifications.js';
import { MessageSearch } from './search.js';
import { MessageVersions } from './versions.js';

/**
 * Group-commit batches in flight at once on PostgreSQL, per kind of lane. Few, so that batches are
 * large: a statement's fixed cost is most of PostgreSQL's CPU for a small batch (about 1.5 ms for a
 * message alone against 0.1 ms each in batches of 200), and eight lanes made batches of one or two.
 */
const POSTGRES_PARALLEL_BATCHES = 2;

export interface Store {
  readonly engine: 'sqlite' | 'postgres';
  /** Accounts and their tokens. */
  readonly accounts: AccountStore;
  /** Conversations of every kind, their members and the members' markers. */
  readonly conversations: ConversationStore;
  /** Messages and their deliveries. */
  readonly messages: MessageStore;
  /** Reactions, pins and mentions. */
  readonly annotations: AnnotationStore;
  /** Notifications and push device tokens. */
  readonly notifications: NotificationStore;
  /** What uploaded files are. */
  readonly attachments: AttachmentStore;
  /** Full-text search over room messages. */
  readonly search: MessageSearch;
  /** The texts that edits replaced. */
  readonly versions: MessageVersions;
  /** Each conversation's changes at their positions, for sockets that resume. */
  readonly changes: ChangeLog;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  /**
   * Calls `listener` each time another process has committed to the database since the last
   * look (within FOREIGN_WRITES_POLL_MS): its writes announced nothing to this process's caches.
   * SQLite only; on PostgreSQL every writer announces its changes on the shared bus.
   */
  watchForeignWrites(listener: () => void): void;
  close(): Promise<void>;
}

export class SqlStore implements Store {
  readonly accounts: AccountStore;
  readonly conversations: ConversationStore;
  readonly messages: MessageStore;
  readonly annotations: AnnotationStore;
  readonly notifications: NotificationStore;
  readonly attachments: AttachmentStore;
  readonly search: MessageSearch;
  readonly versions: MessageVersions;
  readonly changes: ChangeLog;
  private readonly foreignWrites: ForeignWrites;

  /** `sqlite`: the connection under `db` on SQLite, for the message path's synchronous writes. */
  constructor(
    readonly engine: 'sqlite' | 'postgres',
    private readonly db: Kysely<Database>,
    sqlite?: BetterSqlite3.Database,
  ) {
    // The writes of every message's path (store, acknowledge, markers) share transactions.
    const writes = new GroupCommit(db, engine === 'sqlite' ? 1 : POSTGRES_PARALLEL_BATCHES, sqlite);
    this.accounts = new SqlAccountStore(db);
    this.conversations = new SqlConversationStore(engine, db, writes);
    this.messages = new SqlMessageStore(engine, db, writes);
    this.annotations = new SqlAnnotationStore(engine, db);
    this.notifications = new SqlNotificationStore(db);
    this.attachments = new SqlAttachmentStore(db);
    this.search = new MessageSearch(engine, db);
    this.versions = new MessageVersions(db);
    this.changes = new ChangeLog(db);
    this.foreignWrites = new ForeignWrites(db);
  }

  async ping(): Promise<void> {
    await this.db.selectFrom('accounts').select('id').limit(1).execute();
  }

  watchForeignWrites(listener: () => void): void {
    if (this.engine === 'sqlite') this.foreignWrites.watch(listener);
  }

  async close(): Promise<void> {
    this.foreignWrites.stop();
    await this.db.destroy();
  }
}
