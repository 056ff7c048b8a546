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

export interface Database {
  accounts: AccountsTable;
  tokens: TokensTable;
  conversations: ConversationsTable;
  members: MembersTable;
  messages: MessagesTable;
  deliveries: DeliveriesTable;
  match_grades: MatchGradesTable;
}
