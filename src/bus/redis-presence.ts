// Presence shared by every process through Redis. Each process keeps the set of accounts it
// holds sockets for under its own key, renewed by a heartbeat with a short expiry, so a process
// that dies (even by SIGKILL) stops counting within PRESENCE_TTL_SECONDS. The heartbeat also
// rewrites the set, which restores it after Redis restarts empty.
import { randomBytes } from 'node:crypto';
import { Redis, type ChainableCommander } from 'ioredis';
import { LocalPresence, type Presence, type PresenceStatus } from '../core/presence.js';
import type { Instant } from '../core/time.js';
import { TurnBatch } from '../turn-batch.js';

const PRESENCE_TTL_SECONDS = 30;
const HEARTBEAT_MS = 10_000;
/** last_active is kept this long after a user's last activity. */
const LAST_ACTIVE_TTL_SECONDS = 90 * 24 * 3600;

/**
 * A presence read in one round trip: the live nodes, each account's last activity, and whether
 * any live node holds a socket of it. ARGV: the nodes key, the prefixes of node keys and of
 * last-activity keys, the oldest heartbeat still live (ms), then the account ids. Keys are asked
 * a bounded number at a time (Lua's unpack has a limit).
 */
const PRESENCE_READ = `
local nodePrefix, lastPrefix, ids, chunk = ARGV[2], ARGV[3], {}, 500
for i = 5, #ARGV do ids[#ids + 1] = ARGV[i] end
local nodes = redis.call('ZRANGEBYSCORE', ARGV[1], ARGV[4], '+inf')
local last, online = {}, {}
for from = 1, #ids, chunk do
  local to = math.min(from + chunk - 1, #ids)
  local keys = {}
  for i = from, to do keys[#keys + 1] = lastPrefix .. ids[i]; online[i] = 0 end
  local values = redis.call('MGET', unpack(keys))
  for i = 1, #keys do last[from + i - 1] = values[i] end
  for _, node in ipairs(nodes) do
    local flags = redis.call('SMISMEMBER', nodePrefix .. node, unpack(ids, from, to))
    for i = 1, #flags do if flags[i] == 1 then online[from + i - 1] = 1 end end
  end
end
return {last, online}
`;

export class RedisPresence implements Presence {
  private readonly local = new LocalPresence();
  private readonly node = randomBytes(6).toString('hex');
  private readonly redis: Redis;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly nodesKey: string;
  private readonly nodePrefix: string;
  private readonly lastActivePrefix: string;
  /** The writes of this tick: sockets that open or close together (a burst of connects) share one MULTI. */
  private writes: ChainableCommander | undefined;
  /** Presence reads of requests that ask at once share their round trips to Redis. */
  private readonly reads = new TurnBatch<number, PresenceStatus>((accountIds) => this.read(accountIds));

  constructor(url: string, prefix: string) {
    this.nodesKey = `${prefix}presence:nodes`;
    this.nodePrefix = `${prefix}presence:node:`;
    this.lastActivePrefix = `${prefix}presence:last:`;
    this.redis = new Redis(url, {
      retryStrategy: (attempt: number) => Math.min(attempt * 100, 2000),
      // A presence read must not hang while Redis is away: it falls back to this process's view.
      commandTimeout: 1000,
      lazyConnect: true,
      connectionName: 'parley-presence',
    });
    this.redis.on('error', () => undefined);
    this.redis.on('ready', () => void this.beat());
    this.heartbeat = setInterval(() => void this.beat(), HEARTBEAT_MS).unref();
  }

  private nodeKey(node: string): string {
    return `${this.nodePrefix}${node}`;
  }

  private lastActiveKey(accountId: number): string {
    return `${this.lastActivePrefix}${accountId}`;
  }

  async connect(): Promise<void> {
    await this.redis.connect();
  }

  connected(accountId: number): void {
    const wasOnline = this.local.localStatus(accountId).active;
    this.local.connected(accountId);
    const write = this.write().set(this.lastActiveKey(accountId), this.local.localStatus(accountId).lastActive ?? '', 'EX', LAST_ACTIVE_TTL_SECONDS);
    if (!wasOnline) write.sadd(this.nodeKey(this.node), accountId).expire(this.nodeKey(this.node), PRESENCE_TTL_SECONDS);
  }

  disconnected(accountId: number): void {
    this.local.disconnected(accountId);
    const status = this.local.localStatus(accountId);
    const write = this.write().set(this.lastActiveKey(accountId), status.lastActive ?? '', 'EX', LAST_ACTIVE_TTL_SECONDS);
    if (!status.active) write.srem(this.nodeKey(this.node), accountId);
  }

  /** This tick's MULTI, sent once the tick ends (or at close); in order with those before and after it. */
  private write(): ChainableCommander {
    if (!this.writes) {
      this.writes = this.redis.multi();
      process.nextTick(() => this.flush());
    }
    return this.writes;
  }

  private flush(): void {
    const writes = this.writes;
    this.writes = undefined;
    writes?.exec().catch(() => undefined);
  }

  touched(accountId: number): void {
    this.local.touched(accountId);
    this.redis.set(this.lastActiveKey(accountId), this.local.localStatus(accountId).lastActive ?? '', 'EX', LAST_ACTIVE_TTL_SECONDS).catch(() => undefined);
  }

  async status(accountId: number): Promise<PresenceStatus> {
    const statuses = await this.statuses([accountId]);
    return statuses.get(accountId) ?? this.local.localStatus(accountId);
  }

  async statuses(accountIds: readonly number[]): Promise<Map<number, PresenceStatus>> {
    if (accountIds.length === 0) return new Map();
    // A shared read answers other callers' accounts too: each caller gets its own.
    const read = await this.reads.request(accountIds);
    return new Map(accountIds.map((id) => [id, read.get(id) ?? this.local.localStatus(id)]));
  }

  /** What Redis and this process know of the accounts; this process's view alone while Redis is away. */
  private async read(accountIds: readonly number[]): Promise<Map<number, PresenceStatus>> {
    const mine = new Map(accountIds.map((id) => [id, this.local.localStatus(id)]));
    try {
      const since = Date.now() - PRESENCE_TTL_SECONDS * 1000;
      const [lastActives, online] = (await this.redis.eval(PRESENCE_READ, 0, this.nodesKey, this.nodePrefix, this.lastActivePrefix, since, ...accountIds)) as [Array<Instant | null>, number[]];
      return new Map(
        accountIds.map((id, i) => {
          const local = mine.get(id) ?? { active: false, lastActive: null };
          return [id, { active: local.active || online[i] === 1, lastActive: lastActives[i] || local.lastActive }];
        }),
      );
    } catch {
      return mine;
    }
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    this.flush();
    await this.redis
      .multi()
      .del(this.nodeKey(this.node))
      .zrem(this.nodesKey, this.node)
      .exec()
      .catch(() => undefined);
    this.redis.disconnect();
  }

  private async beat(): Promise<void> {
    const online = this.local.online();
    const write = this.redis.multi().zadd(this.nodesKey, Date.now(), this.node).del(this.nodeKey(this.node));
    if (online.length > 0) write.sadd(this.nodeKey(this.node), ...online).expire(this.nodeKey(this.node), PRESENCE_TTL_SECONDS);
    // Nodes silent for a whole expiry are gone; forget them.
    write.zremrangebyscore(this.nodesKey, '-inf', Date.now() - PRESENCE_TTL_SECONDS * 1000);
    await write.exec().catch(() => undefined);
  }
}
