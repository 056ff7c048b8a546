// Persistence behind one interface. The core calls these; nothing above the store writes SQL.
import type {
  AccountRecord,
  ConversationKind,
  ConversationRecord,
  MemberRecord,
  MessageRecord,
  NewAccount,
  NewConversation,
  NewMessage,
  TokenRecord,
} from './records.js';
import type { RoomStore } from './room-store.js';
import type { MessageSearch } from './search.js';
import type { MessageVersions } from './versions.js';

import type { MembershipStore } from './membership-store.js';

export type AccountLookup = 'id' | 'email' | 'username' | 'phone';

export interface PendingMessage extends MessageRecord {
  conversationKind: ConversationKind;
}

export interface Store {
  readonly engine: 'sqlite' | 'postgres';
  /** Groups and match rooms: members that come and go, roles, grades. */
  readonly memberships: MembershipStore;
  /** Rooms: history, reactions, mentions, pins, attachments, notifications, device tokens. */
  readonly rooms: RoomStore;
  /** Full-text search over room messages. */
  readonly search: MessageSearch;
  /** The texts that edits replaced. */
  readonly versions: MessageVersions;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  /**
   * Calls `listener` each time another process has committed to the database since the last
   * look (within FOREIGN_WRITES_POLL_MS): its writes announced nothing to this process's caches.
   * SQLite only; on PostgreSQL every writer announces its changes on the shared bus.
   */
  watchForeignWrites(listener: () => void): void;
  close(): Promise<void>;

  /** Throws UniqueViolation naming the field (email, username, phone) on a duplicate. */
  insertAccount(account: NewAccount): Promise<AccountRecord>;
  findAccount(by: AccountLookup, value: string | number): Promise<AccountRecord | undefined>;
  setPasswordHash(accountId: number, passwordHash: string): Promise<void>;
  /** The accounts with these ids or phones, in one query, in no particular order. */
  findAccounts(by: 'id' | 'phone', values: readonly (string | number)[]): Promise<AccountRecord[]>;

  insertToken(token: TokenRecord): Promise<void>;
  findToken(keyHash: string): Promise<TokenRecord | undefined>;
  findTokens(keyHashes: readonly string[]): Promise<TokenRecord[]>;
  revokeToken(keyHash: string, at: string): Promise<void>;
  /** Revokes the account's live tokens; returns their hashes. */
  revokeTokensOf(accountId: number, at: string): Promise<string[]>;
  touchToken(keyHash: string, at: string): Promise<void>;

  /**
   * Creates the conversation with its members unless one with the same pairKey exists, in which
   * case that one is returned. Safe against a concurrent call for the same pair.
   */
  openPairConversation(
    conversation: NewConversation & { pairKey: string },
    members: readonly number[],
  ): Promise<{ conversation: ConversationRecord; created: boolean }>;
  findConversation(by: 'id' | 'pairKey' | 'key', value: string | number): Promise<ConversationRecord | undefined>;
  /** Deletes the conversation with everything in it; returns how many messages each sender lost. */
  deleteConversation(id: number): Promise<Map<number, number>>;
  listMembers(conversationId: number): Promise<MemberRecord[]>;
  setMemberMarker(
    conversationId: number,
    accountId: number,
    marker: 'lastReceivedAt' | 'lastSeenAt',
    at: string,
  ): Promise<void>;
  /** Those of `candidates` that are members of a conversation of one of `kinds` with `accountId`. */
  membersWith(accountId: number, candidates: readonly number[], kinds: readonly ConversationKind[]): Promise<number[]>;

  /** Stores the message and one delivery per recipient, in one transaction. */
  insertMessage(message: NewMessage, recipients: readonly number[]): Promise<MessageRecord>;
  /**
   * Removes the recipient's delivery of the oldest message in the conversation sent at that
   * instant; when `dropWhenDelivered` and no delivery remains, the message goes too.
   * Returns the message acknowledged, or undefined when none was pending for the recipient.
   */
  acknowledge(input: {
    conversationId: number;
    recipientId: number;
    sentAt: string;
    dropWhenDelivered: boolean;
  }): Promise<MessageRecord | undefined>;
  /**
   * One step of a walk through the recipient's undelivered messages in the given kinds of
   * conversation, oldest first: those among its next `scan` deliveries after message `after`,
   * and the message id to continue after (null once the walk is done). A step reads at most
   * `scan` deliveries, however many wait.
   */
  pendingPage(
    recipientId: number,
    kinds: readonly ConversationKind[],
    after: number,
    scan: number,
  ): Promise<{ messages: PendingMessage[]; next: number | null }>;
}
