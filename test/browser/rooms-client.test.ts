// The web client on the rooms dialect, two members of one room in two browser contexts.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { request } from '../support/clients.js';
import { createRoom, roomSocket, roomsUser, type RoomsUser } from '../support/rooms.js';
import type { TestServer } from '../support/server.js';
import { browserTest, conversationLink, DropProxy, logIn, newPage, receiptOf, startSuite, stopSuite, timelineShape } from './support.js';

let server: TestServer;
let browser: Browser;

beforeAll(async () => ({ server, browser } = await startSuite()));
afterAll(() => stopSuite(server, browser));

function message(page: Page, text: string) {
  return page.locator('.messages .message').filter({ hasText: text });
}

async function openRoom(page: Page, roomId: number): Promise<void> {
  await page.locator(`[data-conversation="rooms:${roomId}"]`).click();
  await expect.poll(() => page.locator('[data-conversation][aria-current=true]').getAttribute('data-conversation')).toBe(`rooms:${roomId}`);
}

async function send(page: Page, text: string): Promise<void> {
  await page.getByLabel('Message', { exact: true }).fill(text);
  await page.getByLabel('Message', { exact: true }).press('Enter');
}

async function members(baseUrl = server.url): Promise<{ anagh: RoomsUser; achal: RoomsUser; roomId: number; anaghPage: Page; achalPage: Page }> {
  const anagh = await roomsUser(server, 'Anagh', 'Jaiswar');
  const achal = await roomsUser(server, 'Achal', 'Singh');
  const roomId = await createRoom(server, anagh, [achal]);
  const { page: anaghPage } = await newPage(browser);
  const { page: achalPage } = await newPage(browser);
  await logIn(anaghPage, server.url, anagh.email, anagh.password, 'rooms');
  await logIn(achalPage, baseUrl, achal.email, achal.password, 'rooms');
  await openRoom(anaghPage, roomId);
  await openRoom(achalPage, roomId);
  return { anagh, achal, roomId, anaghPage, achalPage };
}

describe('rooms dialect in the browser', () => {
  browserTest('a message appears live for the other member, with the typing indicator before it', async () => {
    const { anaghPage, achalPage } = await members();
    await anaghPage.getByLabel('Message', { exact: true }).pressSequentially('Hello room');
    await expect.poll(() => achalPage.locator('.typing').textContent()).toBe('Anagh is typing…');
    await anaghPage.getByLabel('Message', { exact: true }).press('Enter');
    await message(achalPage, 'Hello room').waitFor();
    expect(await message(achalPage, 'Hello room').locator('.sender').textContent()).toBe('Anagh');
    expect(await message(anaghPage, 'Hello room').locator('.sender').textContent()).toBe('You');
    await expect.poll(() => achalPage.locator('.typing').textContent()).toBe('');
  });

  browserTest('a reaction, an edit and a delete by one member show for the other', async () => {
    const { anaghPage, achalPage } = await members();
    await send(anaghPage, 'Meeting at 5');
    await message(achalPage, 'Meeting at 5').waitFor();

    await message(achalPage, 'Meeting at 5').getByRole('button', { name: 'Add reaction' }).click();
    await message(achalPage, 'Meeting at 5').getByRole('button', { name: 'React with Heart' }).click();
    await expect.poll(() => message(anaghPage, 'Meeting at 5').locator('[data-reaction=Heart]').textContent()).toBe('❤️ 1');

    await message(anaghPage, 'Meeting at 5').getByRole('button', { name: 'Edit' }).click();
    await anaghPage.getByLabel('Message', { exact: true }).fill('Meeting at 6');
    await anaghPage.getByLabel('Message', { exact: true }).press('Enter');
    await expect.poll(() => message(achalPage, 'Meeting at 6').locator('.body').textContent()).toBe('Meeting at 6 (edited)');
    expect(await message(achalPage, 'Meeting at 5').count()).toBe(0);
    // Only the author may edit or delete.
    expect(await message(achalPage, 'Meeting at 6').getByRole('button', { name: 'Delete' }).count()).toBe(0);

    await message(anaghPage, 'Meeting at 6').getByRole('button', { name: 'Delete' }).click();
    await achalPage.locator('.messages .body.deleted').filter({ hasText: 'This message was deleted' }).waitFor();
    expect(await message(achalPage, 'Meeting at 6').count()).toBe(0);
  });

  browserTest('a reply quotes its parent and a mention picked from the member list reaches the server', async () => {
    const { achal, roomId, anaghPage, achalPage } = await members();
    await send(anaghPage, 'Who has the slides?');
    await message(achalPage, 'Who has the slides?').getByRole('button', { name: 'Reply' }).click();
    const input = achalPage.getByLabel('Message', { exact: true });
    await input.pressSequentially('I do, @Ana');
    await achalPage.getByRole('option', { name: /Anagh Jaiswar/ }).waitFor();
    await input.press('Enter');
    expect(await input.inputValue()).toBe('I do, @Anagh Jaiswar ');
    await input.press('Enter');
    const reply = message(anaghPage, 'I do, @Anagh Jaiswar');
    await reply.waitFor();
    expect(await reply.locator('blockquote').textContent()).toBe('Anagh: Who has the slides?');
    const history = await request(server, 'GET', `/api/chat/groups/${roomId}/messages/`, { token: achal.token });
    const stored = (history.body.results as Array<{ content: string; mentions: unknown[] }>)[0];
    expect(stored?.content).toBe('I do, @Anagh Jaiswar');
    expect(stored?.mentions.length).toBe(1);
  });

  browserTest('an image attachment shows as a preview on both sides', async () => {
    const { anaghPage, achalPage } = await members();
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');
    await anaghPage.getByLabel('Message', { exact: true }).fill('the diagram');
    await anaghPage.locator('#attach').setInputFiles({ name: 'diagram.png', mimeType: 'image/png', buffer: png });
    const preview = message(achalPage, 'the diagram').locator('img.preview');
    await preview.waitFor();
    await expect.poll(() => preview.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(1);
    expect(await message(anaghPage, 'the diagram').locator('img.preview').count()).toBe(1);
  });

  browserTest('a reload shows the history from the server, and older pages load when scrolling back', async () => {
    const { anagh, roomId, achalPage } = await members();
    const socket = await roomSocket(server, roomId, anagh);
    for (let i = 1; i <= 35; i += 1) socket.send(JSON.stringify({ action: 'send_message', message: `note ${i}` }));
    await message(achalPage, 'note 35').waitFor();
    socket.close();

    await achalPage.reload();
    await achalPage.getByRole('status').filter({ hasText: 'Connected' }).waitFor();
    await openRoom(achalPage, roomId);
    await message(achalPage, 'note 35').waitFor();
    expect(await achalPage.locator('.messages .message').count()).toBe(30);
    await achalPage.getByRole('button', { name: 'Load older messages' }).click();
    await expect.poll(() => achalPage.locator('.messages .message').count()).toBe(35);
    const bodies = await achalPage.locator('.messages .message .body').allTextContents();
    expect(bodies[0]).toBe('note 1');
    expect(bodies.at(-1)).toBe('note 35');
    expect(await achalPage.getByRole('button', { name: 'Load older messages' }).isVisible()).toBe(false);
  });

  browserTest('after a dropped connection the client reconnects and catches up on the history it missed', async () => {
    const proxy = await DropProxy.to(server);
    try {
      const { anaghPage, achalPage } = await members(proxy.url);
      proxy.drop();
      await achalPage.getByRole('status').filter({ hasText: 'Reconnecting' }).waitFor();
      await send(anaghPage, 'while the network was down');
      await message(anaghPage, 'while the network was down').waitFor();
      expect(await message(achalPage, 'while the network was down').count()).toBe(0);
      proxy.restore();
      await message(achalPage, 'while the network was down').waitFor({ timeout: 20_000 });
      await achalPage.getByRole('status').filter({ hasText: 'Connected' }).waitFor();
      await send(achalPage, 'back online');
      await message(anaghPage, 'back online').waitFor();
    } finally {
      await proxy.close();
    }
  });
  browserTest('messages sit under a "Today" separator, and one sender\'s run shows the name and avatar once', async () => {
    const { anaghPage, achalPage } = await members();
    for (const text of ['one', 'two']) {
      await send(anaghPage, text);
      await message(achalPage, text).waitFor();
    }
    await send(achalPage, 'three');
    await message(anaghPage, 'three').waitFor();
    await message(achalPage, 'three').locator('.receipt[data-receipt=sent]').waitFor();
    expect(await timelineShape(achalPage)).toEqual(['day:Today', 'one', 'two+', 'three']);
    expect(await message(achalPage, 'one').locator('.avatar').textContent()).toBe('A');
    expect(await message(achalPage, 'two').locator('.avatar').count()).toBe(0);
    // The name is there for screen readers on every message, shown once per run.
    expect(await message(achalPage, 'two').locator('.sender').textContent()).toBe('Anagh');
    expect(await message(achalPage, 'two').locator('.sender').getAttribute('class')).toBe('sender visually-hidden');
    expect(await message(achalPage, 'one').locator('.sender').getAttribute('class')).toBe('sender');
  });

  browserTest('reopening a room shows the unread line where the reader left off, also after a reload', async () => {
    const anagh = await roomsUser(server, 'Anagh', 'Jaiswar');
    const achal = await roomsUser(server, 'Achal', 'Singh');
    const roomId = await createRoom(server, anagh, [achal]);
    const otherRoom = await createRoom(server, anagh, [achal]);
    const socket = await roomSocket(server, roomId, anagh);
    try {
      const { page } = await newPage(browser);
      await logIn(page, server.url, achal.email, achal.password, 'rooms');
      socket.send(JSON.stringify({ action: 'send_message', message: 'read before' }));
      await expect.poll(() => page.locator(`[data-conversation="rooms:${roomId}"] .badge`).textContent()).toBe('1');
      await openRoom(page, roomId);
      await message(page, 'read before').waitFor();
      // Opened with nothing read yet: everything is new.
      expect(await timelineShape(page)).toEqual(['day:Today', 'unread', 'read before']);

      await openRoom(page, otherRoom);
      for (const text of ['while away 1', 'while away 2']) socket.send(JSON.stringify({ action: 'send_message', message: text }));
      await expect.poll(() => page.locator(`[data-conversation="rooms:${roomId}"] .badge`).textContent()).toBe('2');
      await openRoom(page, roomId);
      await expect.poll(() => timelineShape(page)).toEqual(['day:Today', 'read before', 'unread', 'while away 1', 'while away 2+']);
      // A message that arrives while the room is open is read at once: the line stays put.
      socket.send(JSON.stringify({ action: 'send_message', message: 'while here' }));
      await message(page, 'while here').waitFor();
      expect((await timelineShape(page)).indexOf('unread')).toBe(2);

      await openRoom(page, otherRoom);
      await openRoom(page, roomId);
      await expect.poll(() => page.locator('.messages .unread-line').count()).toBe(0);

      await page.reload();
      await page.getByRole('status').filter({ hasText: 'Connected' }).waitFor();
      socket.send(JSON.stringify({ action: 'send_message', message: 'after the reload' }));
      await expect.poll(() => page.locator(`[data-conversation="rooms:${roomId}"] .badge`).textContent()).toBe('1');
      await openRoom(page, roomId);
      await expect.poll(() => timelineShape(page)).toEqual(['day:Today', 'read before', 'while away 1+', 'while away 2+', 'while here+', 'unread', 'after the reload']);
    } finally {
      socket.close();
    }
  });

  browserTest('reactions are emoji buttons with counts that change live for the other member, by mouse and keyboard', async () => {
    const { anaghPage, achalPage } = await members();
    await send(anaghPage, 'Lunch?');
    const onAchal = message(achalPage, 'Lunch?');
    const onAnagh = message(anaghPage, 'Lunch?');
    await onAchal.waitFor();

    await onAchal.getByRole('button', { name: 'Add reaction' }).click();
    const picker = onAchal.getByRole('group', { name: 'Choose a reaction' });
    expect(await picker.getByRole('button').allTextContents()).toEqual(['👍', '😎', '😂', '❤️', '😠', '🙂', '😢']);
    await picker.getByRole('button', { name: 'React with Like' }).click();
    expect(await picker.count()).toBe(0);
    const like = onAnagh.getByRole('button', { name: 'Like, 1 reaction' });
    await like.waitFor();
    expect(await like.textContent()).toBe('👍 1');

    // Pressing a reaction someone else gave adds mine.
    await like.click();
    await onAchal.getByRole('button', { name: 'Like, 2 reactions' }).waitFor();

    // By keyboard: Enter on the button takes mine back; focus stays on it when the count changes.
    const achalLike = onAchal.locator('[data-reaction=Like]');
    await onAnagh.getByRole('button', { name: 'Like, 2 reactions' }).waitFor();
    await onAnagh.locator('[data-reaction=Like]').focus();
    await anaghPage.keyboard.press('Enter');
    await expect.poll(() => achalLike.getAttribute('aria-label')).toBe('Like, 1 reaction');
    await expect.poll(() => anaghPage.evaluate(() => (document.activeElement as HTMLElement | null)?.getAttribute('aria-label'))).toBe('Like, 1 reaction');

    // The picker by keyboard: arrows move along it, Enter picks, Escape closes it.
    await onAchal.getByRole('button', { name: 'Add reaction' }).focus();
    await achalPage.keyboard.press('Enter');
    await expect.poll(() => achalPage.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('React with Like');
    await achalPage.keyboard.press('ArrowRight');
    await achalPage.keyboard.press('ArrowRight');
    await achalPage.keyboard.press('Enter');
    await onAnagh.getByRole('button', { name: 'HaHa, 1 reaction' }).waitFor();
    await onAchal.getByRole('button', { name: 'Add reaction' }).click();
    await achalPage.keyboard.press('Escape');
    expect(await onAchal.getByRole('group', { name: 'Choose a reaction' }).count()).toBe(0);
    expect(await achalPage.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Add reaction');
    expect(await onAnagh.locator('.reaction').allTextContents()).toEqual(['👍 1', '😂 1']);
  });

  browserTest('the room shows its connection state: reconnecting while the network is down, offline when the browser is, then connected', async () => {
    const proxy = await DropProxy.to(server);
    try {
      const { achalPage } = await members(proxy.url);
      expect(await conversationLink(achalPage)).toEqual({ state: 'connected', text: 'Connected' });
      // While a conversation is open, its state is the one shown: the list's is hidden.
      expect(await achalPage.locator('.top [role=status]').isVisible()).toBe(false);
      expect(await achalPage.locator('.conversation > header [role=status] [aria-hidden=true]').count()).toBe(1);

      proxy.drop();
      await expect.poll(async () => (await conversationLink(achalPage)).state).toBe('reconnecting');
      expect((await conversationLink(achalPage)).text).toMatch(/^Reconnecting( in \d+ s|…)$/);
      proxy.restore();
      await expect.poll(() => conversationLink(achalPage), { timeout: 20_000 }).toEqual({ state: 'connected', text: 'Connected' });

      await achalPage.context().setOffline(true);
      await expect.poll(() => conversationLink(achalPage)).toEqual({ state: 'offline', text: 'Offline' });
      await achalPage.context().setOffline(false);
      await expect.poll(() => conversationLink(achalPage)).toEqual({ state: 'connected', text: 'Connected' });
    } finally {
      await proxy.close();
    }
  });

  browserTest('a message lost with the connection is resent with its client_id once the connection is back, and arrives once', async () => {
    const proxy = await DropProxy.to(server);
    try {
      const { achal, roomId, anaghPage, achalPage } = await members(proxy.url);
      proxy.stall();
      await send(achalPage, 'lost in transit');
      expect(await receiptOf(achalPage, 'lost in transit')).toBe('sending');
      proxy.drop();
      await expect.poll(async () => (await conversationLink(achalPage)).state).toBe('reconnecting');
      // Not failed: it waits to be sent again.
      expect(await receiptOf(achalPage, 'lost in transit')).toBe('sending');

      proxy.restore();
      await expect.poll(() => receiptOf(achalPage, 'lost in transit'), { timeout: 20_000 }).toBe('sent');
      await message(anaghPage, 'lost in transit').waitFor();
      expect(await message(achalPage, 'lost in transit').count()).toBe(1);
      expect(await message(anaghPage, 'lost in transit').count()).toBe(1);
      const history = await request(server, 'GET', `/api/chat/groups/${roomId}/messages/`, { token: achal.token });
      expect((history.body.results as Array<{ content: string }>).filter((m) => m.content === 'lost in transit').length).toBe(1);
    } finally {
      await proxy.close();
    }
  });

  browserTest('a connection dropped mid-conversation resumes where it left off: nothing lost, nothing twice, edits and deletions of earlier messages too', async () => {
    const proxy = await DropProxy.to(server);
    try {
      const { anagh, roomId, achalPage } = await members(proxy.url);
      const urls: string[] = [];
      achalPage.on('websocket', (socket) => urls.push(socket.url()));
      const anaghSocket = await roomSocket(server, roomId, anagh);
      const say = async (text: string): Promise<number> => {
        anaghSocket.send({ message: text });
        return (await anaghSocket.take((f) => f.message === text)).id as number;
      };
      const first = await say('first, seen live');
      const second = await say('second, seen live');
      await message(achalPage, 'second, seen live').waitFor();

      proxy.drop();
      await expect.poll(async () => (await conversationLink(achalPage)).state).toBe('reconnecting');
      for (let i = 1; i <= 5; i += 1) await say(`missed ${i}`);
      anaghSocket.send({ action: 'edit_message', message_id: first, new_content: 'first, edited while away' });
      await anaghSocket.take((f) => f.action === 'edited');
      anaghSocket.send({ action: 'delete_message', message_id: second });
      await anaghSocket.take((f) => f.action === 'deleted');
      anaghSocket.send({ action: 'react_message', message_id: first, reaction: 'Like' });
      await anaghSocket.take((f) => f.action === 'reacted');

      proxy.restore();
      await expect.poll(() => conversationLink(achalPage), { timeout: 20_000 }).toEqual({ state: 'connected', text: 'Connected' });
      await message(achalPage, 'missed 5').waitFor();
      await say('live again');
      await message(achalPage, 'live again').waitFor();
      // The reconnection asked for what came after the last change it had seen.
      expect(urls.some((url) => /\?since=2$/.test(url))).toBe(true);
      const bodies = await achalPage.locator('.messages .message .body').allTextContents();
      expect(bodies).toEqual([
        'first, edited while away (edited)',
        'This message was deleted',
        'missed 1',
        'missed 2',
        'missed 3',
        'missed 4',
        'missed 5',
        'live again',
      ]);
      await expect.poll(() => message(achalPage, 'first, edited while away').locator('[data-reaction=Like]').textContent()).toBe('👍 1');
      await anaghSocket.close();
    } finally {
      await proxy.close();
    }
  });

  browserTest('a message the server refuses shows as not sent with the server\'s reason', async () => {
    const { anaghPage, achalPage } = await members();
    const tooLong = 'x'.repeat(65_537);
    await send(achalPage, tooLong);
    const failed = achalPage.locator('.messages .message').filter({ has: achalPage.locator('.receipt[data-receipt=failed]') });
    await failed.waitFor();
    expect(await failed.locator('.failure').textContent()).toBe('Not sent: A message may hold at most 65536 characters. Retry');
    await send(achalPage, 'short enough');
    await message(anaghPage, 'short enough').waitFor();
    await expect.poll(() => receiptOf(achalPage, 'short enough')).toBe('sent');
    expect(await achalPage.locator('.receipt[data-receipt=failed]').count()).toBe(1);
  });
  browserTest('finds a message by search, in all rooms or the open one, and opens its room there', async () => {
    const anagh = await roomsUser(server, 'Anagh', 'Jaiswar');
    const achal = await roomsUser(server, 'Achal', 'Singh');
    const plans = await createRoom(server, anagh, [achal], `plans_${anagh.id}`);
    const trip = await createRoom(server, anagh, [achal], `trip_${anagh.id}`);
    const plansSocket = await roomSocket(server, plans, anagh);
    const tripSocket = await roomSocket(server, trip, anagh);
    try {
      for (const [socket, text] of [[plansSocket, 'The quarterly budget is ready'], [plansSocket, 'Lunch at noon'], [tripSocket, 'Budget for the trip: 300']] as const) {
        socket.send({ action: 'send_message', message: text });
        await socket.take((f) => f.message === text);
      }
    } finally {
      await plansSocket.close();
      await tripSocket.close();
    }
    const { page } = await newPage(browser);
    const searches: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/chat/messages/search/')) searches.push(new URL(r.url()).search);
    });
    await logIn(page, server.url, achal.email, achal.password, 'rooms');
    await openRoom(page, trip);

    const box = page.getByRole('searchbox', { name: 'Search messages' });
    const summary = page.locator('.search-summary');
    const hits = page.getByRole('list', { name: 'Search results' }).getByRole('button');
    await box.fill('budg');
    await box.press('Enter');
    await expect.poll(() => summary.textContent()).toBe('2 messages found.');
    // Newest first, each with its room; the matched start of a word is marked.
    expect(await hits.locator('.hit-body').allTextContents()).toEqual(['Budget for the trip: 300', 'The quarterly budget is ready']);
    expect(await hits.locator('.hit-room').allTextContents()).toEqual([`trip_${anagh.id}`, `plans_${anagh.id}`]);
    expect(await hits.locator('mark').allTextContents()).toEqual(['Budg', 'budg']);

    // Only in the open room.
    await page.getByLabel('Search in').selectOption('here');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(() => summary.textContent()).toBe(`1 message found in trip_${anagh.id}.`);
    expect(await hits.locator('.hit-body').allTextContents()).toEqual(['Budget for the trip: 300']);

    // A result in another room opens that room at the message.
    await page.getByLabel('Search in').selectOption('all');
    await box.press('Enter');
    await expect.poll(() => hits.count()).toBe(2);
    await hits.filter({ hasText: 'quarterly' }).click();
    await expect.poll(() => page.locator('[data-conversation][aria-current=true]').getAttribute('data-conversation')).toBe(`rooms:${plans}`);
    await message(page, 'The quarterly budget is ready').and(page.locator('.found')).waitFor();
    expect(await message(page, 'Lunch at noon').and(page.locator('.found')).count()).toBe(0);

    // No words: the server's 400 becomes a hint; a blank query asks nothing.
    await box.fill('!!! ...');
    await box.press('Enter');
    await expect.poll(() => summary.textContent()).toBe('Search for a word: letters or digits.');
    const asked = searches.length;
    await box.fill('   ');
    await box.press('Enter');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    expect(searches.length).toBe(asked);
    expect(searches).toEqual([
      '?q=budg&page=1&page_size=20',
      `?q=budg&page=1&page_size=20&group_id=${trip}`,
      '?q=budg&page=1&page_size=20',
      '?q=%21%21%21+...&page=1&page_size=20',
    ]);

    // Past a page: "More results" appends the next one.
    const more = await roomSocket(server, plans, anagh);
    try {
      for (let i = 1; i <= 20; i += 1) {
        more.send({ action: 'send_message', message: `budget item ${i}` });
        await more.take((f) => f.message === `budget item ${i}`);
      }
    } finally {
      await more.close();
    }
    await box.fill('budget');
    await box.press('Enter');
    await expect.poll(() => summary.textContent()).toBe('22 messages found.');
    expect(await hits.count()).toBe(20);
    await page.getByRole('button', { name: 'More results' }).click();
    await expect.poll(() => hits.count()).toBe(22);
    expect(await hits.locator('.hit-body').last().textContent()).toBe('The quarterly budget is ready');
    expect(await page.getByRole('button', { name: 'More results' }).isVisible()).toBe(false);
  });

  browserTest("shows an edit's previous version in a dialog that Escape closes", async () => {
    const { anaghPage, achalPage } = await members();
    await send(anaghPage, 'Meeting at 5');
    await message(achalPage, 'Meeting at 5').waitFor();
    await message(anaghPage, 'Meeting at 5').getByRole('button', { name: 'Edit' }).click();
    await anaghPage.getByLabel('Message', { exact: true }).fill('Meeting at 6');
    await anaghPage.getByLabel('Message', { exact: true }).press('Enter');
    const edited = message(achalPage, 'Meeting at 6').getByRole('button', { name: '(edited)' });
    await edited.waitFor();

    await edited.click();
    const dialog = achalPage.getByRole('dialog', { name: 'Edit history' });
    await dialog.waitFor();
    expect(await dialog.locator('.version-body').allTextContents()).toEqual(['Meeting at 5', 'Meeting at 6']);
    expect(await dialog.locator('.version-when').first().textContent()).toMatch(/^Written .+, replaced .+$/);
    expect(await dialog.locator('.current .version-when').textContent()).toMatch(/^Current, written .+$/);
    expect(await achalPage.evaluate(() => document.activeElement?.closest('dialog') !== null)).toBe(true);
    await achalPage.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
    expect(await achalPage.evaluate(() => document.activeElement?.textContent)).toBe('(edited)');

    // By keyboard too: Enter opens it, the Close button closes it.
    await achalPage.keyboard.press('Enter');
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => dialog.count()).toBe(0);
  });

  browserTest('mark unread shows the badge and the unread line again, and the server keeps it', async () => {
    const { achal, roomId, anaghPage, achalPage } = await members();
    for (const text of ['one', 'two', 'three']) await send(anaghPage, text);
    await message(achalPage, 'three').waitFor();
    const badge = achalPage.locator(`[data-conversation="rooms:${roomId}"] .badge`);
    const serverUnread = async () =>
      ((await request(server, 'GET', '/api/chat/groups/', { token: achal.token })).body as Array<{ id: number; unread_count: number }>).find((r) => r.id === roomId)?.unread_count;
    await expect.poll(serverUnread).toBe(0);
    expect(await badge.count()).toBe(0);
    // My own messages cannot be marked unread: the server does not count them.
    expect(await message(anaghPage, 'two').getByRole('button', { name: 'Mark unread' }).count()).toBe(0);

    await message(achalPage, 'two').getByRole('button', { name: 'Mark unread' }).click();
    await expect.poll(() => badge.textContent()).toBe('2');
    expect(await timelineShape(achalPage)).toEqual(['day:Today', 'one', 'unread', 'two', 'three+']);
    expect(await serverUnread()).toBe(2);
    // While the room stays open it stays unread: a new message adds to the count.
    await send(anaghPage, 'four');
    await message(achalPage, 'four').waitFor();
    await expect.poll(() => badge.textContent()).toBe('3');
    expect(await serverUnread()).toBe(3);

    // Another visit reads it: the line stays where the reader left off, the badge goes.
    await achalPage.reload();
    await achalPage.getByRole('status').filter({ hasText: 'Connected' }).waitFor();
    expect(await badge.textContent()).toBe('3');
    await openRoom(achalPage, roomId);
    await message(achalPage, 'four').waitFor();
    await expect.poll(() => timelineShape(achalPage)).toEqual(['day:Today', 'one', 'unread', 'two', 'three+', 'four+']);
    await expect.poll(() => badge.count()).toBe(0);
    await expect.poll(serverUnread).toBe(0);
  });
});
