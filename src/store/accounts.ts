// Accounts and their tokens.
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { AccountLookup, NewAccount, StoredAccount, TokenRecord } from './records.js';
import { toAccount, toToken, uniqueViolation } from './rows.js';

const ACCOUNT_COLUMNS = { id: 'id', email: 'email', username: 'username', phone: 'phone' } as const;

export interface AccountStore {
  /** Throws UniqueViolation naming the field (email, username, phone) on a duplicate. */
  insert(account: NewAccount): Promise<StoredAccount>;
  find(by: AccountLookup, value: string | number): Promise<StoredAccount | undefined>;
  /** The accounts with these ids or phones, in one query, in no particular order. */
  findMany(by: 'id' | 'phone', values: readonly (string | number)[]): Promise<StoredAccount[]>;
  /** Every account, oldest first, for the admin command. */
  list(): Promise<StoredAccount[]>;
  setPasswordHash(accountId: number, passwordHash: string): Promise<void>;
  setRole(accountId: number, role: string): Promise<void>;

  insertToken(token: TokenRecord): Promise<void>;
  /** The tokens with these hashes, in one query, in no particular order. */
  findTokens(keyHashes: readonly string[]): Promise<TokenRecord[]>;
  revokeToken(keyHash: string, at: string): Promise<void>;
  /** Revokes the account's live tokens; returns their hashes. */
  revokeTokensOf(accountId: number, at: string): Promise<string[]>;
  /** Marks these tokens used at `at`, in one statement. */
  touchTokens(keyHashes: readonly string[], at: string): Promise<void>;
}

export class SqlAccountStore implements AccountStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(account: NewAccount): Promise<StoredAccount> {
    try {
      const row = await this.db
        .insertInto('accounts')
        .values({
          email: account.email,
          username: account.username,
          phone: account.phone,
          first_name: account.firstName,
          last_name: account.lastName,
          photo: account.photo,
          role: account.role,
          year: account.year,
          password_hash: account.passwordHash,
          created_at: account.createdAt,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toAccount(row);
    } catch (error) {
      throw uniqueViolation(error) ?? error;
    }
  }

  async find(by: AccountLookup, value: string | number): Promise<StoredAccount | undefined> {
    const row = await this.db.selectFrom('accounts').selectAll().where(ACCOUNT_COLUMNS[by], '=', value).executeTakeFirst();
    return row && toAccount(row);
  }

  async findMany(by: 'id' | 'phone', values: readonly (string | number)[]): Promise<StoredAccount[]> {
    if (values.length === 0) return [];
    const rows = await this.db.selectFrom('accounts').selectAll().where(ACCOUNT_COLUMNS[by], 'in', [...new Set(values)]).execute();
    return rows.map(toAccount);
  }

  async list(): Promise<StoredAccount[]> {
    const rows = await this.db.selectFrom('accounts').selectAll().orderBy('id').execute();
    return rows.map(toAccount);
  }

  async setPasswordHash(accountId: number, passwordHash: string): Promise<void> {
    await this.db.updateTable('accounts').set({ password_hash: passwordHash }).where('id', '=', accountId).execute();
  }

  async setRole(accountId: number, role: string): Promise<void> {
    await this.db.updateTable('accounts').set({ role }).where('id', '=', accountId).execute();
  }

  async insertToken(token: TokenRecord): Promise<void> {
    await this.db
      .insertInto('tokens')
      .values({
        key_hash: token.keyHash,
        account_id: token.accountId,
        created_at: token.createdAt,
        last_used_at: token.lastUsedAt,
        revoked_at: token.revokedAt,
      })
      .execute();
  }

  async findTokens(keyHashes: readonly string[]): Promise<TokenRecord[]> {
    if (keyHashes.length === 0) return [];
    const rows = await this.db.selectFrom('tokens').selectAll().where('key_hash', 'in', [...keyHashes]).execute();
    return rows.map(toToken);
  }

  async revokeToken(keyHash: string, at: string): Promise<void> {
    await this.db.updateTable('tokens').set({ revoked_at: at }).where('key_hash', '=', keyHash).where('revoked_at', 'is', null).execute();
  }

  async revokeTokensOf(accountId: number, at: string): Promise<string[]> {
    const rows = await this.db
      .updateTable('tokens')
      .set({ revoked_at: at })
      .where('account_id', '=', accountId)
      .where('revoked_at', 'is', null)
      .returning('key_hash')
      .execute();
    return rows.map((row) => row.key_hash);
  }

  async touchTokens(keyHashes: readonly string[], at: string): Promise<void> {
    if (keyHashes.length === 0) return;
    await this.db.updateTable('tokens').set({ last_used_at: at }).where('key_hash', 'in', [...keyHashes]).execute();
  }
}
