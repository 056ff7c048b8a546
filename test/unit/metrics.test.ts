// Parley's metrics: one registry per server, the process's metrics in each.
import { describe, expect, it } from 'vitest';
import { Metrics } from '../../src/metrics.js';
import { parseScrape } from '../support/metrics.js';

describe('Metrics', () => {
  it('keeps each server’s counts apart while both report the process', async () => {
    const first = new Metrics();
    const second = new Metrics();
    first.messageStored('group', 3);
    first.messageStored('room', 0);
    const [one, two] = [parseScrape(await first.render()), parseScrape(await second.render())];
    expect(one.value('parley_messages_stored_total', { kind: 'group' })).toBe(1);
    expect(one.value('parley_messages_stored_total', { kind: 'room' })).toBe(1);
    expect(one.value('parley_deliveries_total')).toBe(3);
    expect(two.samples('parley_messages_stored_total')).toEqual([]);
    expect(two.value('parley_deliveries_total')).toBe(0);
    for (const scrape of [one, two]) expect(scrape.value('process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('escapes label values: a newline or quote in a dialect name cannot forge a sample', async () => {
    const metrics = new Metrics();
    metrics.serveDialect('phone"} 99\nparley_frames_in_total{dialect="x');
    const text = await metrics.render();
    expect(text.split('\n').filter((line) => line.startsWith('parley_frames_in_total'))).toHaveLength(1);
    expect(parseScrape(text).samples('parley_frames_in_total')).toEqual([
      { labels: { dialect: 'phone"} 99\nparley_frames_in_total{dialect="x' }, value: 0 },
    ]);
  });

  it('counts frames in and out per dialect, read at every scrape', async () => {
    const metrics = new Metrics();
    metrics.serveDialect('rooms');
    metrics.frameIn('phone');
    metrics.frameOut('phone');
    metrics.frameOut('phone');
    const first = parseScrape(await metrics.render());
    expect(first.value('parley_frames_in_total', { dialect: 'phone' })).toBe(1);
    expect(first.value('parley_frames_out_total', { dialect: 'phone' })).toBe(2);
    expect(first.value('parley_frames_in_total', { dialect: 'rooms' })).toBe(0);
    metrics.frameIn('phone');
    expect(parseScrape(await metrics.render()).value('parley_frames_in_total', { dialect: 'phone' })).toBe(2);
  });

  it('reads open sockets at scrape time from the gateway’s counts', async () => {
    const metrics = new Metrics();
    let open = 1;
    metrics.countOpenSockets(() => new Map([['phone', open], ['rooms', 0]]));
    expect(parseScrape(await metrics.render()).value('parley_open_sockets', { dialect: 'phone' })).toBe(1);
    open = 4;
    const later = parseScrape(await metrics.render());
    expect(later.value('parley_open_sockets', { dialect: 'phone' })).toBe(4);
    expect(later.value('parley_open_sockets', { dialect: 'rooms' })).toBe(0);
  });
});
