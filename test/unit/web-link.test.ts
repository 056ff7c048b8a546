// The web client's connection state: how several sockets add up, and what the reader is told.
import { describe, expect, it } from 'vitest';
import { describeLink, worstLink } from '../../web/src/link.js';

describe('worstLink', () => {
  it('is connected only when every socket is, and with none', () => {
    expect(worstLink([])).toEqual({ state: 'connected' });
    expect(worstLink([{ state: 'connected' }, { state: 'connected' }])).toEqual({ state: 'connected' });
    expect(worstLink([{ state: 'connected' }, { state: 'connecting' }])).toEqual({ state: 'connecting' });
  });

  it('prefers offline over reconnecting, and of two reconnecting the later retry', () => {
    expect(worstLink([{ state: 'reconnecting', retryAt: 5 }, { state: 'offline' }, { state: 'connected' }])).toEqual({ state: 'offline' });
    expect(worstLink([{ state: 'reconnecting', retryAt: 5 }, { state: 'reconnecting', retryAt: 9 }, { state: 'reconnecting', retryAt: 7 }])).toEqual({ state: 'reconnecting', retryAt: 9 });
  });
});

describe('describeLink', () => {
  it('counts down to the next attempt in whole seconds, outside what is announced', () => {
    expect(describeLink({ state: 'reconnecting', retryAt: 10_000 }, 7_200)).toEqual({ label: 'Reconnecting', detail: ' in 3 s' });
    expect(describeLink({ state: 'reconnecting', retryAt: 10_000 }, 10_000)).toEqual({ label: 'Reconnecting', detail: '…' });
    expect(describeLink({ state: 'reconnecting' }, 0)).toEqual({ label: 'Reconnecting', detail: '…' });
    expect(describeLink({ state: 'connected' }, 0)).toEqual({ label: 'Connected', detail: '' });
    expect(describeLink({ state: 'offline' }, 0)).toEqual({ label: 'Offline', detail: '' });
  });
});
