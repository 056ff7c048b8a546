import { describe, expect, it } from 'vitest';
import { addressKey, SocketQuota } from '../../src/gateway/quota.js';

describe('addressKey', () => {
  it('counts IPv4 (mapped or not) per address and IPv6 per /64', () => {
    expect(addressKey('127.0.0.1')).toBe('127.0.0.1');
    expect(addressKey('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });
});

describe('SocketQuota', () => {
  it('refuses a socket over either cap, frees places on release, and takes 0 as no cap', () => {
    const quota = new SocketQuota({ perAccount: 2, perAddress: 3 });
    expect(quota.take(1, 'a')).toBeUndefined();
    expect(quota.take(1, 'a')).toBeUndefined();
    expect(quota.take(1, 'b')).toBe('account');
    expect(quota.take(2, 'a')).toBeUndefined();
    expect(quota.take(3, 'a')).toBe('address');
    quota.release(1, 'a');
    expect(quota.take(3, 'a')).toBeUndefined();
    expect(quota.take(1, 'b')).toBeUndefined();
    const open = new SocketQuota({ perAccount: 0, perAddress: 0 });
    for (let i = 0; i < 1000; i++) expect(open.take(1, 'a')).toBeUndefined();
  });
});
