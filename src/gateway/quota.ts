// How many sockets each account and each client address hold on this process, against the caps
// (PARLEY_MAX_SOCKETS_PER_ACCOUNT, PARLEY_MAX_SOCKETS_PER_ADDRESS): one client must not take the
// process's open files (20,000 here) for itself.

export interface SocketCaps {
  /** Sockets one account may hold; 0 for no cap. */
  perAccount: number;
  /** Sockets one client address (IPv6: one /64) may hold; 0 for no cap. */
  perAddress: number;
}

export class SocketQuota {
  private readonly byAccount = new Map<number, number>();
  private readonly byAddress = new Map<string, number>();

  constructor(private readonly caps: SocketCaps) {}

  /** Takes a place for one socket, or names the cap it would go over (taking nothing then). */
  take(accountId: number, address: string): 'account' | 'address' | undefined {
    const accountCount = this.byAccount.get(accountId) ?? 0;
    const addressCount = this.byAddress.get(address) ?? 0;
    if (this.caps.perAccount > 0 && accountCount >= this.caps.perAccount) return 'account';
    if (this.caps.perAddress > 0 && addressCount >= this.caps.perAddress) return 'address';
    this.byAccount.set(accountId, accountCount + 1);
    this.byAddress.set(address, addressCount + 1);
    return undefined;
  }

  release(accountId: number, address: string): void {
    decrement(this.byAccount, accountId);
    decrement(this.byAddress, address);
  }
}

function decrement<K>(counts: Map<K, number>, key: K): void {
  const count = (counts.get(key) ?? 0) - 1;
  if (count > 0) counts.set(key, count);
  else counts.delete(key);
}

/**
 * What the address cap counts a client by: its IPv4 address (also when written IPv4-mapped), or
 * the /64 of its IPv6 address, since one host is usually given a whole /64.
 */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped?.[1]) return mapped[1];
  if (!address.includes(':')) return address;
  const bare = address.split('%')[0] ?? '';
  const [head = '', tail] = bare.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((group) => Number.parseInt(group, 16).toString(16))
    .join(':')}::/64`;
}
