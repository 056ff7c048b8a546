// The web client on the phone dialect, two users in two browser contexts.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { signup, type User } from '../support/clients.js';
import { openDialogue, personalSocket, sendPersonal } from '../support/phone.js';
import type { TestServer } from '../support/server.js';
import { browserTest, DropProxy, logIn, newPage, receiptOf, startSuite, stopSuite, timelineShape } from './support.js';

let server: TestServer;
let browser: Browser;

beforeAll(async () => ({ server, browser } = await startSuite()));
afterAll(() => stopSuite(server, browser));

async function chatWith(page: Page, peer: User): Promise<void> {
  await page.locator(`[data-conversation="phone:dialogue:${peer.phone}"]`).click();
  await expect.poll(() => page.locator('#conversation-title').textContent()).toBe(peer.phone);
}

function message(page: Page, text: string) {
  return page.locator('.messages .message').filter({ hasText: text });
}

/** Two users with a dialogue, logged in in two browsers; either may reach the server another way (a proxy). */
async function pair(via: { alice?: string; bob?: string } = {}): Promise<{ alice: User; bob: User; alicePage: Page; bobPage: Page }> {
  const alice = await signup(server);
  const bob = await signup(server);
  await openDialogue(server, alice, bob);
  const { page: alicePage } = await newPage(browser);
  const { page: bobPage } = await newPage(browser);
  await logIn(alicePage, via.alice ?? server.url, alice.username, alice.password);
  await logIn(bobPage, via.bob ?? server.url, bob.phone, bob.password);
  return { alice, bob, alicePage, bobPage };
}

describe('phone dialect in the browser', () => {
  browserTest('a message appears live on the other side, the typing indicator shows, and receipts go from sent to read', async () => {
    const { alice, bob, alicePage, bobPage } = await pair();
    await chatWith(alicePage, bob);
    await chatWith(bobPage, alice);

    await alicePage.getByLabel('Message', { exact: true }).pressSequentially('Hi Bob');
    await expect.poll(() => bobPage.locator('.typing').textContent()).toBe(`${alice.phone} is typing…`);
    await alicePage.getByLabel('Message', { exact: true }).press('Enter');

    await message(bobPage, 'Hi Bob').waitFor();
    expect(await message(bobPage, 'Hi Bob').locator('.sender').textContent()).toBe(alice.phone);
    // Bob has the conversation open, so the message is received and read at once.
    await expect.poll(() => message(alicePage, 'Hi Bob').locator('.receipt').getAttribute('data-receipt')).toBe('read');
    expect(await bobPage.locator('.typing').textContent()).toBe('');
  });

  browserTest('a message to a conversation that is not open counts as unread until it is opened', async () => {
    const { alice, bob, alicePage, bobPage } = await pair();
    await chatWith(alicePage, bob);
    await alicePage.getByLabel('Message', { exact: true }).fill('Are you there?');
    await alicePage.getByRole('button', { name: 'Send' }).click();
    const badge = bobPage.locator(`[data-conversation="phone:dialogue:${alice.phone}"] .badge`);
    await expect.poll(() => badge.textContent()).toBe('1');
    await expect.poll(() => message(alicePage, 'Are you there?').locator('.receipt').getAttribute('data-receipt')).toBe('received');
    await chatWith(bobPage, alice);
    await expect.poll(() => badge.count()).toBe(0);
    await expect.poll(() => message(alicePage, 'Are you there?').locator('.receipt').getAttribute('data-receipt')).toBe('read');
  });

  browserTest('a reload shows the history kept by the browser', async () => {
    const { alice, bob, alicePage, bobPage } = await pair();
    await chatWith(alicePage, bob);
    await chatWith(bobPage, alice);
    for (const text of ['first', 'second']) {
      await alicePage.getByLabel('Message', { exact: true }).fill(text);
      await alicePage.getByLabel('Message', { exact: true }).press('Enter');
      await message(bobPage, text).waitFor();
    }
    await bobPage.reload();
    await bobPage.getByRole('status').filter({ hasText: 'Connected' }).waitFor();
    await chatWith(bobPage, alice);
    expect(await bobPage.locator('.messages .message .body').allTextContents()).toEqual(['first', 'second']);
  });

  browserTest('after a dropped connection the client reconnects and fetches what was sent meanwhile', async () => {
    const proxy = await DropProxy.to(server);
    try {
      const { alice, bob, alicePage, bobPage } = await pair({ bob: proxy.url });
      await chatWith(alicePage, bob);
      await chatWith(bobPage, alice);

      proxy.drop();
      await bobPage.getByRole('status').filter({ hasText: 'Reconnecting' }).waitFor();
      await alicePage.getByLabel('Message', { exact: true }).fill('sent while you were away');
      await alicePage.getByLabel('Message', { exact: true }).press('Enter');
      await expect.poll(() => message(alicePage, 'sent while you were away').locator('.receipt').getAttribute('data-receipt')).toBe('sent');
      expect(await message(bobPage, 'sent while you were away').count()).toBe(0);

      proxy.restore();
      await message(bobPage, 'sent while you were away').waitFor({ timeout: 20_000 });
      await bobPage.getByRole('status').filter({ hasText: 'Connected' }).waitFor();
      await expect.poll(() => message(alicePage, 'sent while you were away').locator('.receipt').getAttribute('data-receipt')).toBe('read');
    } finally {
      await proxy.close();
    }
  });
  browserTest('a day separator divides yesterday\'s messages from today\'s, and a run of one sender is grouped', async () => {
    const alice = await signup(server);
    const bob = await signup(server);
    await openDialogue(server, alice, bob);
    const { page: bobPage } = await newPage(browser);
    await logIn(bobPage, server.url, bob.username, bob.password);
    // The phone dialect keeps the sender's own timestamps, so a message can be from yesterday.
    const yesterday = new Date();
    yesterday.setDate(yesterday.getDate() - 1);
    yesterday.setHours(12, 0, 0, 0);
    const socket = await personalSocket(server, alice, bob);
    try {
      await sendPersonal(socket, alice, bob, 'from yesterday', yesterday.toISOString());
      // Distinct timestamps: one sender's two messages with one timestamp are one message resent.
      const now = Date.now();
      await sendPersonal(socket, alice, bob, 'fresh 1', new Date(now).toISOString());
      await sendPersonal(socket, alice, bob, 'fresh 2', new Date(now + 1).toISOString());
    } finally {
      socket.close();
    }
    await expect.poll(() => bobPage.locator(`[data-conversation="phone:dialogue:${alice.phone}"] .badge`).textContent()).toBe('3');
    await chatWith(bobPage, alice);
    expect(await timelineShape(bobPage)).toEqual(['day:Yesterday', 'unread', 'from yesterday', 'day:Today', 'fresh 1', 'fresh 2+']);
  });

  browserTest('reopening a dialogue shows the unread line before what arrived while the reader was elsewhere', async () => {
    const { alice, bob, bobPage } = await pair();
    const carol = await signup(server);
    await openDialogue(server, bob, carol);
    const socket = await personalSocket(server, alice, bob);
    try {
      await bobPage.reload();
      await bobPage.getByRole('status').filter({ hasText: 'Connected' }).waitFor();
      await chatWith(bobPage, alice);
      await sendPersonal(socket, alice, bob, 'seen it', new Date().toISOString());
      await message(bobPage, 'seen it').waitFor();
      await chatWith(bobPage, carol);
      const now = Date.now();
      await sendPersonal(socket, alice, bob, 'missed 1', new Date(now).toISOString());
      await sendPersonal(socket, alice, bob, 'missed 2', new Date(now + 1).toISOString());
      await expect.poll(() => bobPage.locator(`[data-conversation="phone:dialogue:${alice.phone}"] .badge`).textContent()).toBe('2');
      await chatWith(bobPage, alice);
      expect(await timelineShape(bobPage)).toEqual(['day:Today', 'seen it', 'unread', 'missed 1', 'missed 2+']);

      // What this browser showed as read is kept: after a reload, nothing new means no line.
      await bobPage.reload();
      await bobPage.getByRole('status').filter({ hasText: 'Connected' }).waitFor();
      await chatWith(bobPage, alice);
      expect(await timelineShape(bobPage)).toEqual(['day:Today', 'seen it', 'missed 1+', 'missed 2+']);
    } finally {
      socket.close();
    }
  });

  browserTest('a message lost with the connection shows as not sent with Retry, and the retry is delivered and read', async () => {
    const proxy = await DropProxy.to(server);
    try {
      const { alice, bob, alicePage, bobPage } = await pair({ alice: proxy.url });
      await chatWith(alicePage, bob);
      await chatWith(bobPage, alice);
      await alicePage.locator('.conversation > header [role=status][data-state=connected]').waitFor();

      proxy.stall();
      await alicePage.getByLabel('Message', { exact: true }).fill('into the void');
      await alicePage.getByLabel('Message', { exact: true }).press('Enter');
      expect(await receiptOf(alicePage, 'into the void')).toBe('sending');
      proxy.drop();
      await expect.poll(() => receiptOf(alicePage, 'into the void')).toBe('failed');
      expect(await message(alicePage, 'into the void').locator('.failure').textContent()).toBe('Not sent: the connection dropped before the server confirmed it. Retry');

      proxy.restore();
      await alicePage.locator('.conversation > header [role=status][data-state=connected]').waitFor({ timeout: 20_000 });
      await message(alicePage, 'into the void').getByRole('button', { name: 'Retry' }).click();
      await expect.poll(() => receiptOf(alicePage, 'into the void')).toBe('read');
      expect(await message(alicePage, 'into the void').count()).toBe(1);
      expect(await message(bobPage, 'into the void').count()).toBe(1);
    } finally {
      await proxy.close();
    }
  });

  browserTest('a message the server refuses shows as not sent with the server\'s reason, and stays so after a reload', async () => {
    const { bob, alicePage } = await pair();
    await chatWith(alicePage, bob);
    await alicePage.getByLabel('Message', { exact: true }).fill('y'.repeat(1201));
    await alicePage.getByLabel('Message', { exact: true }).press('Enter');
    const failed = alicePage.locator('.messages .message').filter({ has: alicePage.locator('.receipt[data-receipt=failed]') });
    await failed.waitFor();
    expect(await failed.locator('.failure').textContent()).toBe('Not sent: message may hold at most 1200 characters. Retry');
    await alicePage.reload();
    await alicePage.getByRole('status').filter({ hasText: 'Connected' }).waitFor();
    await chatWith(alicePage, bob);
    expect(await alicePage.locator('.receipt[data-receipt=failed]').count()).toBe(1);
  });
});
