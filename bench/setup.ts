// Bulk set-up for the scenarios, written through the Store interface before the server starts
// (never through an HTTP endpoint): signing up thousands of accounts over HTTP would spend
// ~50 ms of scrypt each, so every account shares one precomputed password hash and gets its
// token the way Accounts.issueToken makes one. The server then reads these rows like any other.
import { randomBytes } from 'node:crypto';
import { hashKey } from '../src/core/accounts.js';
import { dialoguePairKey } from '../src/core/conversations.js';
import { DEFAULT_PASSWORD_COST, PasswordHasher } from '../src/core/passwords.js';
import { now } from '../src/core/time.js';
import { openStore } from '../src/store/open.js';
import type { Store } from '../src/store/store.js';

export interface BenchUser {
  id: number;
  phone: string;
  token: string;
}

export interface Fixture {
  /** Members of the fan-out room, and the room. */
  roomId: number;
  roomMembers: BenchUser[];
  /** Users of the phone scenario, paired [0,1], [2,3], … with a dialogue each. */
  pairs: BenchUser[];
  /** Users whose sockets the idle scenario holds. */
  idle: BenchUser[];
  /** A room with history, and a member who reads it. */
  historyRoomId: number;
  historyReader: BenchUser;
  /** A phone user with `fetchBacklog` messages waiting in one dialogue (none when not asked for). */
  fetchRecipient: BenchUser | undefined;
  /** A room of `searchMessages` messages, a member who searches it, and a word to look for. */
  search: { roomId: number; reader: BenchUser; word: string } | undefined;
}

export interface FixtureSizes {
  roomMembers: number;
  pairUsers: number;
  idleUsers: number;
  historyMessages: number;
  fetchBacklog: number;
  searchMessages: number;
}

/** Messages written at once through the store's group commit while filling a backlog. */
const BACKLOG_BATCH = 500;

export async function buildFixture(options: { dataDir: string; databaseUrl?: string }, sizes: FixtureSizes): Promise<Fixture> {
  const store = await openStore({ dataDir: options.dataDir, databaseUrl: options.databaseUrl });
  try {
    const passwordHash = await new PasswordHasher(DEFAULT_PASSWORD_COST).hash('bench-password');
    let serial = 0;
    const users = async (count: number): Promise<BenchUser[]> => {
      const made: BenchUser[] = [];
      for (let i = 0; i < count; i++) made.push(await createUser(store, passwordHash, ++serial));
      return made;
    };
    const roomMembers = await users(sizes.roomMembers);
    const [owner] = roomMembers;
    if (!owner) throw new Error('the fan-out room needs members');
    const room = await store.conversations.createRoom(
      { name: 'fan-out', description: null, avatar: null, createdBy: owner.id, active: true, createdAt: now() },
      roomMembers.map((m) => ({ accountId: m.id, role: m === owner ? ('admin' as const) : ('member' as const) })),
    );

    const pairs = await users(sizes.pairUsers);
    for (let i = 0; i + 1 < pairs.length; i += 2) {
      const a = pairs[i]!;
      const b = pairs[i + 1]!;
      await store.conversations.openPair(
        {
          kind: 'dialogue',
          key: null,
          pairKey: dialoguePairKey(a.id, b.id),
          name: null,
          description: null,
          avatar: null,
          createdBy: a.id,
          active: true,
          expiresAt: null,
          createdAt: now(),
        },
        [a.id, b.id],
      );
    }

    const idle = await users(sizes.idleUsers);

    const readers = await users(20);
    const historyRoom = await store.conversations.createRoom(
      { name: 'history', description: null, avatar: null, createdBy: readers[0]!.id, active: true, createdAt: now() },
      readers.map((m, i) => ({ accountId: m.id, role: i === 0 ? ('admin' as const) : ('member' as const) })),
    );
    for (let i = 0; i < sizes.historyMessages; i++) {
      await store.messages.insert(
        {
          conversationId: historyRoom.id,
          senderId: readers[i % readers.length]!.id,
          body: `history message ${i}: ${'lorem ipsum '.repeat(6)}`,
          type: 'text',
          clientSentAt: null,
          sentAt: null,
          attachment: null,
          parentId: null,
          createdAt: now(),
        },
        { recipients: [], mentions: [] },
      );
    }
    const fetchRecipient = sizes.fetchBacklog > 0 ? await fillBacklog(store, await users(2), sizes.fetchBacklog) : undefined;
    const search = sizes.searchMessages > 0 ? await fillSearchRoom(store, readers, sizes.searchMessages) : undefined;
    return { roomId: room.id, roomMembers, pairs, idle, historyRoomId: historyRoom.id, historyReader: readers[1]!, fetchRecipient, search };
  } finally {
    await store.close();
  }
}

/** Opens a dialogue from the first user to the second and stores `count` undelivered messages for the second. */
async function fillBacklog(store: Store, [sender, recipient]: BenchUser[], count: number): Promise<BenchUser> {
  if (!sender || !recipient) throw new Error('a backlog needs a sender and a recipient');
  const createdAt = now();
  const { conversation } = await store.conversations.openPair(
    {
      kind: 'dialogue',
      key: null,
      pairKey: dialoguePairKey(sender.id, recipient.id),
      name: null,
      description: null,
      avatar: null,
      createdBy: sender.id,
      active: true,
      expiresAt: null,
      createdAt,
    },
    [sender.id, recipient.id],
  );
  const base = Date.UTC(2026, 0, 1);
  for (let start = 0; start < count; start += BACKLOG_BATCH) {
    const batch = [];
    for (let i = start; i < Math.min(count, start + BACKLOG_BATCH); i++) {
      // A distinct instant per message (microseconds), so the client can tell every message apart.
      const sentAt = `${new Date(base + Math.floor(i / 1000)).toISOString().slice(0, 23)}${String(i % 1000).padStart(3, '0')}Z`;
      batch.push(
        store.messages.insert(
          {
            conversationId: conversation.id,
            senderId: sender.id,
            body: `backlog message ${i}: ${'lorem ipsum '.repeat(8)}`,
            type: 'text',
            clientSentAt: sentAt,
            sentAt,
            attachment: null,
            parentId: null,
            createdAt,
          },
          { recipients: [recipient.id], mentions: [] },
        ),
      );
    }
    await Promise.all(batch);
  }
  return recipient;
}

async function createUser(store: Store, passwordHash: string, serial: number): Promise<BenchUser> {
  const phone = String(9_000_000_000 + serial);
  const account = await store.accounts.insert({
    email: `bench${serial}@example.com`,
    username: `bench${serial}`,
    phone,
    firstName: `Bench${serial}`,
    lastName: 'User',
    photo: null,
    role: 'member',
    year: null,
    passwordHash,
    createdAt: now(),
  });
  const token = randomBytes(20).toString('hex');
  await store.accounts.insertToken({ keyHash: hashKey(token), accountId: account.id, createdAt: now(), lastUsedAt: null, revokedAt: null });
  return { id: account.id, phone, token };
}

/** Distinct words the search room's messages are made of. */
const SEARCH_VOCABULARY = 5000;
/** Words per search-room message. */
const SEARCH_WORDS = 12;
/** Room messages written at once: the store's group commit makes them a few transactions. */
const SEARCH_CONCURRENCY = 200;

/** A pronounceable word for each number: syllables, so that no word is a prefix of a word of another length only. */
function vocabularyWord(n: number): string {
  const syllables = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'ze', 'pu'];
  let word = '';
  for (let rest = n, i = 0; i < 4; i++, rest = Math.floor(rest / 10)) word += syllables[rest % 10];
  return word;
}

/**
 * A room whose messages are `SEARCH_WORDS` words drawn from the vocabulary with a skew (a few
 * words are common, most rare, as in real chat); returns the word a search looks for: one that
 * about 1 in 400 messages holds.
 */
async function fillSearchRoom(store: Store, readers: readonly BenchUser[], count: number): Promise<{ roomId: number; reader: BenchUser; word: string }> {
  const room = await store.conversations.createRoom(
    { name: 'search', description: null, avatar: null, createdBy: readers[0]!.id, active: true, createdAt: now() },
    readers.map((m, i) => ({ accountId: m.id, role: i === 0 ? ('admin' as const) : ('member' as const) })),
  );
  let seed = 42;
  const random = (): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const body = (): string => Array.from({ length: SEARCH_WORDS }, () => vocabularyWord(Math.floor(SEARCH_VOCABULARY * random() ** 3))).join(' ');
  for (let written = 0; written < count; written += SEARCH_CONCURRENCY) {
    await Promise.all(
      Array.from({ length: Math.min(SEARCH_CONCURRENCY, count - written) }, (_, i) =>
        store.messages.insert(
          { conversationId: room.id, senderId: readers[(written + i) % readers.length]!.id, body: body(), type: 'text', clientSentAt: null, sentAt: null, attachment: null, parentId: null, createdAt: now() },
          { recipients: [], mentions: [] },
        ),
      ),
    );
  }
  // Word n is drawn with probability ((n+1)^(1/3) - n^(1/3)) / 5000^(1/3): word 1000 is in about
  // 1 message of 400.
  return { roomId: room.id, reader: readers[2]!, word: vocabularyWord(1000) };
}
