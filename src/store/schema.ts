// The tables as Kysely sees them. Column names are snake_case; the store maps them to records.
import type { Generated } from 'kysely';

export interface AccountsTable {
  id: Generated<number>;
  email: string;
  username: string;
  phone: string | null;
  first_name: string;
  last_name: string;
  photo: string | null;
  role: string;
  year: number | null;
  password_hash: string;
  created_at: string;
}

export interface TokensTable {
  key_hash: string;
  account_id: number;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface ConversationsTable {
  id: Generated<number>;
  kind: string;
  key: string | null;
  pair_key: string | null;
  name: string | null;
  description: string | null;
  avatar: string | null;
  created_by: number | null;
  active: number;
  expires_at: string | null;
  created_at: string;
  updated_at: Generated<string | null>;
}

export interface MembersTable {
  conversation_id: number;
  account_id: number;
  role: string;
  joined_at: string;
  last_received_at: string | null;
  last_seen_at: string | null;
}

export interface MessagesTable {
  id: Generated<number>;
  conversation_id: number;
  sender_id: number;
  body: string;
  type: string;
  client_sent_at: string | null;
  sent_at: string | null;
  created_at: string;
  parent_id: Generated<number | null>;
  attachment: Generated<string | null>;
  updated_at: Generated<string | null>;
  edited_at: Generated<string | null>;
  deleted_at: Generated<string | null>;
  pinned_at: Generated<string | null>;
}

export interface DeliveriesTable {
  message_id: number;
  recipient_id: number;
}

export interface MatchGradesTable {
  conversation_id: number;
  account_id: number;
  grade: string;
  graded_at: string;
}

export interface ReactionsTable {
  message_id: number;
  account_id: number;
  name: string;
  created_at: string;
}

export interface MentionsTable {
  message_id: number;
  account_id: number;
}

export interface AttachmentsTable {
  key: string;
  conversation_id: number;
  uploader_id: number;
  file_name: string;
  content_type: string;
  size: number;
  created_at: string;
}

export interface NotificationsTable {
  id: Generated<number>;
  account_id: number;
  message_id: number | null;
  event_type: string;
  body: string;
  url: string | null;
  is_read: number;
  created_at: string;
}

export interface DeviceTokensTable {
  token: string;
  account_id: number;
  device_type: string;
  created_at: string;
}

export interface MessageVersionsTable {
  id: Generated<number>;
  message_id: number;
  body: string;
  written_at: string;
  replaced_at: string;
}

export interface SendKeysTable {
  conversation_id: number;
  sender_id: number;
  key: string;
  message_id: number;
  created_at: string;
}

export interface ConversationChangesTable {
  conversation_id: number;
  position: number;
  event: string;
}

/** PostgreSQL only: each conversation's last position. */
export interface ChangePositionsTable {
  conversation_id: number;
  position: number;
}

/** A room's number of messages and the version of its history, kept by triggers (migration 009). */
export interface HistoryCountsTable {
  conversation_id: number;
  message_count: number;
  version: number;
}

export interface Database {
  accounts: AccountsTable;
  tokens: TokensTable;
  conversations: ConversationsTable;
  members: MembersTable;
  messages: MessagesTable;
  message_versions: MessageVersionsTable;
  send_keys: SendKeysTable;
  conversation_changes: ConversationChangesTable;
  change_positions: ChangePositionsTable;
  history_counts: HistoryCountsTable;
  deliveries: DeliveriesTable;
  match_grades: MatchGradesTable;
  reactions: ReactionsTable;
  mentions: MentionsTable;
  attachments: AttachmentsTable;
  notifications: NotificationsTable;
  device_tokens: DeviceTokensTable;
}
