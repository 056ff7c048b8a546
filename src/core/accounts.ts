// Accounts and their tokens: sign-up, log-in, log-out, and resolving a presented key.
import { createHash, randomBytes } from 'node:crypto';
import type { Bus } from '../bus/bus.js';
import type { Store } from '../store/store.js';
import { TurnBatch } from '../turn-batch.js';
import { UniqueViolation, type AccountRecord, type StoredAccount, type TokenRecord } from '../store/records.js';
import { problem, ValidationError, type Problem } from './errors.js';
import { INVALIDATION_TOPIC, type CoreEvent } from './events.js';
import type { LoginThrottle } from './login-throttle.js';
import type { PasswordHasher } from './passwords.js';
import { now } from './time.js';

export const PHONE_PATTERN = /^\d{10}$/;
/** The account role of administrators (set with `parley user set-role`). */
export const ADMIN_ROLE = 'admin';
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const USERNAME_PATTERN = /^[\w.@+-]+$/;
const MIN_PASSWORD = 8;
export const MAX_PASSWORD = 1024;
const MAX_USERNAME = 150;
export const MAX_EMAIL = 254;
const MAX_NAME = 150;
/**
 * An account is read from memory for this long at most. Its changes are invalidated at once
 * (invalidate.account); the limit bounds what a process can miss where no bus carries them (the
 * command line on PostgreSQL without Redis).
 */
const ACCOUNT_CACHE_MS = 60_000;
/** last_used_at is written at most this often per token: authentication stays a memory read. */
const TOUCH_INTERVAL_MS = 60_000;
/** Token hashes checked against the store per query (bounded IN lists). */
const TOKEN_CHECK_BATCH = 500;

export interface SignupInput {
  email: unknown;
  username: unknown;
  password: unknown;
  phone: unknown;
  firstName?: unknown;
  lastName?: unknown;
}

export type LoginIdentifier = 'username' | 'email' | 'phone';

interface CachedToken {
  accountId: number;
  touchedAt: number;
}

export class Accounts {
  private readonly tokens = new Map<string, CachedToken>();
  private readonly accountsById = new Map<number, { account: AccountRecord; cachedAt: number }>();
  private readonly idByPhone = new Map<string, number>();
  // A burst of sockets opening (every client of a restarted server reconnecting) asks for many
  // tokens and accounts at once: those asked in one turn are read in one query, and their
  // tokens marked used in one statement, instead of a round trip (and a commit) each.
  private readonly tokenReads: TurnBatch<string, TokenRecord>;
  private readonly accountReads: TurnBatch<number, StoredAccount>;
  private readonly tokenTouches: TurnBatch<string, never>;

  /** A hash no password matches, made on first need so that start-up does not pay for it. */
  private unknownAccountHash: Promise<string> | undefined;
  private readonly revocationListeners: Array<(keyHash: string) => void> = [];

  constructor(
    private readonly store: Store,
    private readonly bus: Bus<CoreEvent>,
    private readonly passwords: PasswordHasher,
    private readonly throttle: LoginThrottle,
  ) {
    this.tokenReads = new TurnBatch(async (keyHashes) => new Map((await store.accounts.findTokens(keyHashes)).map((token) => [token.keyHash, token])));
    this.accountReads = new TurnBatch(async (ids) => new Map((await store.accounts.findMany('id', ids)).map((account) => [account.id, account])));
    this.tokenTouches = new TurnBatch(async (keyHashes) => {
      await store.accounts.touchTokens(keyHashes, now());
      return new Map<string, never>();
    });
    bus.subscribe(INVALIDATION_TOPIC, (event) => {
      if (event.type === 'invalidate.token') this.revoked(event.keyHash);
      else if (event.type === 'invalidate.account') this.accountsById.delete(event.id);
    });
  }

  /** Drops every cached token and account (invalidations may have been missed: see Core). */
  forgetAll(): void {
    this.tokens.clear();
    this.accountsById.clear();
    this.idByPhone.clear();
  }

  /**
   * Calls `listener` with the hash of every token revoked from now on, here or on any process,
   * at once for a revocation made here (so it does not wait for the bus).
   */
  onRevoked(listener: (keyHash: string) => void): void {
    this.revocationListeners.push(listener);
  }

  /** Of these token hashes, those that are revoked or unknown, read from the store. */
  async revokedAmong(keyHashes: readonly string[]): Promise<Set<string>> {
    const live = new Set<string>();
    for (let start = 0; start < keyHashes.length; start += TOKEN_CHECK_BATCH) {
      const tokens = await this.store.accounts.findTokens(keyHashes.slice(start, start + TOKEN_CHECK_BATCH));
      for (const token of tokens) if (token.revokedAt === null) live.add(token.keyHash);
    }
    return new Set(keyHashes.filter((keyHash) => !live.has(keyHash)));
  }

  /**
   * Creates the account and its first token. Field problems come back all at once. Sign-ups are
   * counted per address (`address`), as failed log-ins are.
   */
  async signup(input: SignupInput, address: string): Promise<{ account: AccountRecord; token: string }> {
    await this.throttle.signUp(address);
    const problems: Record<string, Problem[]> = {};
    const email = requiredText(input.email, 'email', problems, MAX_EMAIL)?.toLowerCase();
    if (email !== undefined && !EMAIL_PATTERN.test(email)) problems.email = [problem('EMAIL_INVALID')];
    const username = requiredText(input.username, 'username', problems, MAX_USERNAME);
    if (username !== undefined && !USERNAME_PATTERN.test(username)) {
      problems.username = [problem('USERNAME_INVALID')];
    }
    const password = requiredText(input.password, 'password', problems, MAX_PASSWORD, false);
    if (password !== undefined && password.length < MIN_PASSWORD) {
      problems.password = [problem('PASSWORD_TOO_SHORT', { min: MIN_PASSWORD })];
    }
    const phone = requiredText(input.phone, 'phone', problems, 10);
    if (phone !== undefined && !PHONE_PATTERN.test(phone)) problems.phone = [problem('PHONE_INVALID')];
    const firstName = optionalText(input.firstName, 'firstName', problems, MAX_NAME);
    const lastName = optionalText(input.lastName, 'lastName', problems, MAX_NAME);
    if (Object.keys(problems).length > 0 || !email || !username || !password || !phone) {
      throw new ValidationError(problems);
    }

    let account: StoredAccount;
    try {
      account = await this.store.accounts.insert({
        email,
        username,
        phone,
        firstName: firstName ?? '',
        lastName: lastName ?? '',
        photo: null,
        role: 'member',
        year: null,
        passwordHash: await this.passwords.hash(password),
        createdAt: now(),
      });
    } catch (error) {
      if (error instanceof UniqueViolation) {
        throw new ValidationError({ [error.field]: [problem('TAKEN', { entity: 'account', field: error.field })] });
      }
      throw error;
    }
    return { account: this.remember(account), token: await this.issueToken(account.id) };
  }

  /**
   * Creates an account for the rooms dialect's admin command: e-mail login, no phone; the
   * e-mail doubles as the username. No token is issued.
   */
  async createByAdmin(input: {
    email: string;
    password: string;
    firstName: string;
    lastName: string;
    role: string;
    year: number | null;
  }): Promise<AccountRecord> {
    const problems: Record<string, Problem[]> = {};
    const email = requiredText(input.email, 'email', problems, MAX_EMAIL)?.toLowerCase();
    if (email !== undefined && !EMAIL_PATTERN.test(email)) problems.email = [problem('EMAIL_INVALID')];
    const password = requiredText(input.password, 'password', problems, MAX_PASSWORD, false);
    if (password !== undefined && password.length < MIN_PASSWORD) {
      problems.password = [problem('PASSWORD_TOO_SHORT', { min: MIN_PASSWORD })];
    }
    const firstName = requiredText(input.firstName, 'firstName', problems, MAX_NAME);
    const lastName = optionalText(input.lastName, 'lastName', problems, MAX_NAME);
    if (Object.keys(problems).length > 0 || !email || !password || !firstName) throw new ValidationError(problems);
    try {
      const account = await this.store.accounts.insert({
        email,
        username: email,
        phone: null,
        firstName,
        lastName: lastName ?? '',
        photo: null,
        role: input.role,
        year: input.year,
        passwordHash: await this.passwords.hash(password),
        createdAt: now(),
      });
      return this.remember(account);
    } catch (error) {
      if (error instanceof UniqueViolation) throw new ValidationError({ email: [problem('TAKEN', { entity: 'account', field: 'email' })] });
      throw error;
    }
  }

  /**
   * A new token for the account behind the identifier, or undefined for bad credentials. Every
   * attempt counts against the account and the address it comes from (LoginThrottle) until the
   * password is right; a hash made with weaker parameters than today's is redone then.
   */
  async login(
    by: LoginIdentifier,
    identifier: string,
    password: string,
    address: string,
  ): Promise<{ account: AccountRecord; token: string } | undefined> {
    const value = by === 'email' ? identifier.trim().toLowerCase() : identifier.trim();
    const found = await this.store.accounts.find(by, value);
    // One counter per account, whichever name it is reached by; unknown names have their own.
    const counted = found ? `id:${found.id}` : `${by}:${value}`;
    await this.throttle.attempt(address, counted);
    // Verify against a throwaway hash when the account is unknown, so timing does not tell.
    this.unknownAccountHash ??= this.passwords.hash(randomBytes(16).toString('hex'));
    const ok = await this.passwords.verify(password, found?.passwordHash ?? (await this.unknownAccountHash));
    if (!found || !ok) return undefined;
    await this.throttle.succeeded(address, counted);
    let account = found;
    if (this.passwords.needsRehash(account.passwordHash)) {
      const passwordHash = await this.passwords.hash(password);
      await this.store.accounts.setPasswordHash(account.id, passwordHash);
      account = { ...account, passwordHash };
    }
    return { account: this.remember(account), token: await this.issueToken(account.id) };
  }

  async logout(key: string): Promise<void> {
    const keyHash = hashKey(key);
    await this.store.accounts.revokeToken(keyHash, now());
    await this.invalidateTokens([keyHash]);
  }

  /** Revokes every live token of the account (the administrator's log-out everywhere); how many. */
  async revokeAll(accountId: number): Promise<number> {
    const keyHashes = await this.store.accounts.revokeTokensOf(accountId, now());
    await this.invalidateTokens(keyHashes);
    return keyHashes.length;
  }

  /** Changes the account's role; every process reads the account again. */
  async setRole(accountId: number, role: string): Promise<void> {
    await this.store.accounts.setRole(accountId, role);
    this.accountsById.delete(accountId);
    await this.bus.publish(INVALIDATION_TOPIC, { type: 'invalidate.account', id: accountId });
  }

  /** This process forgets the tokens at once; the others through the bus. */
  private async invalidateTokens(keyHashes: readonly string[]): Promise<void> {
    for (const keyHash of keyHashes) this.revoked(keyHash);
    await Promise.all(keyHashes.map((keyHash) => this.bus.publish(INVALIDATION_TOPIC, { type: 'invalidate.token', keyHash })));
  }

  private revoked(keyHash: string): void {
    this.tokens.delete(keyHash);
    for (const listener of this.revocationListeners) listener(keyHash);
  }

  /** The account a presented key belongs to, if the key is live. */
  async authenticate(key: string): Promise<AccountRecord | undefined> {
    const keyHash = keyHashOf(key);
    return keyHash === undefined ? undefined : this.authenticateHash(keyHash);
  }

  /**
   * The account of a live token, by its key's hash (keyHashOf): a socket keeps the hash, not
   * the key, and the token cache is keyed by the very string it was first asked with.
   */
  async authenticateHash(keyHash: string): Promise<AccountRecord | undefined> {
    let cached = this.tokens.get(keyHash);
    if (!cached) {
      const token = (await this.tokenReads.request([keyHash])).get(keyHash);
      if (!token || token.revokedAt !== null) return undefined;
      cached = { accountId: token.accountId, touchedAt: 0 };
      this.tokens.set(keyHash, cached);
    }
    const nowMs = Date.now();
    if (nowMs - cached.touchedAt <= TOUCH_INTERVAL_MS) return this.byId(cached.accountId);
    cached.touchedAt = nowMs;
    // The touch and the account's read go together: one round trip's wait, not two, for a
    // socket that opens (and holds its upgrade's request meanwhile).
    const [, account] = await Promise.all([this.tokenTouches.request([keyHash]), this.byId(cached.accountId)]);
    return account;
  }

  async byPhone(phone: string): Promise<AccountRecord | undefined> {
    const id = this.idByPhone.get(phone);
    if (id !== undefined) return this.byId(id);
    if (!PHONE_PATTERN.test(phone)) return undefined;
    const account = await this.store.accounts.find('phone', phone);
    return account && this.remember(account);
  }

  async byEmail(email: string): Promise<AccountRecord | undefined> {
    const account = await this.store.accounts.find('email', email.trim().toLowerCase());
    return account && this.remember(account);
  }

  /** Every account, by id (for the administrator). */
  async list(): Promise<AccountRecord[]> {
    return (await this.store.accounts.list()).map(withoutPassword);
  }

  /** The accounts with these phones, in one query; phones nobody has are left out. */
  async byPhones(phones: readonly string[]): Promise<AccountRecord[]> {
    const accounts = await this.store.accounts.findMany('phone', phones.filter((phone) => PHONE_PATTERN.test(phone)));
    return accounts.map((account) => this.remember(account));
  }

  async byId(id: number): Promise<AccountRecord | undefined> {
    const cached = this.accountsById.get(id);
    if (cached && Date.now() - cached.cachedAt < ACCOUNT_CACHE_MS) return cached.account;
    const account = (await this.accountReads.request([id])).get(id);
    return account && this.remember(account);
  }

  /** Caches the account, without its password hash, and hands back what was cached. */
  private remember(stored: StoredAccount): AccountRecord {
    const account = withoutPassword(stored);
    this.accountsById.set(account.id, { account, cachedAt: Date.now() });
    if (account.phone) this.idByPhone.set(account.phone, account.id);
    return account;
  }

  private async issueToken(accountId: number): Promise<string> {
    const key = randomBytes(20).toString('hex');
    await this.store.accounts.insertToken({ keyHash: hashKey(key), accountId, createdAt: now(), lastUsedAt: null, revokedAt: null });
    return key;
  }
}

/**
 * The account without its password hash: the cache (and every socket, through it) holds an
 * account for as long as it is in use, and only log-in, which reads the store, needs the hash.
 */
function withoutPassword(stored: StoredAccount): AccountRecord {
  const { id, email, username, phone, firstName, lastName, photo, role, year, createdAt } = stored;
  return { id, email, username, phone, firstName, lastName, photo, role, year, createdAt };
}

/** The hash a key is stored under; undefined for a key no token can have. */
export function keyHashOf(key: string): string | undefined {
  return /^[0-9a-f]{40}$/.test(key) ? hashKey(key) : undefined;
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

function requiredText(
  value: unknown,
  field: string,
  problems: Record<string, Problem[]>,
  max: number,
  trim = true,
): string | undefined {
  if (value === undefined || value === null || value === '') {
    problems[field] = [problem('FIELD_REQUIRED')];
    return undefined;
  }
  if (typeof value !== 'string') {
    problems[field] = [problem('FIELD_NOT_TEXT')];
    return undefined;
  }
  const text = trim ? value.trim() : value;
  if (text === '') {
    problems[field] = [problem('FIELD_BLANK')];
    return undefined;
  }
  if (text.length > max) {
    problems[field] = [problem('FIELD_TOO_LONG', { max })];
    return undefined;
  }
  return text;
}

function optionalText(
  value: unknown,
  field: string,
  problems: Record<string, Problem[]>,
  max: number,
): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return requiredText(value, field, problems, max);
}
