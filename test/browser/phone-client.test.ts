// The web client on the phone dialect, two users in two browser contexts.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { signup, type User } from '../support/clients.js';
import { openDialogue } from '../support/phone.js';
import type { TestServer } from '../support/server.js';
import { browserTest, DropProxy, launchBrowser, logIn, newPage, startBrowserServer } from './support.js';

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  server = await startBrowserServer();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function chatWith(page: Page, peer: User): Promise<void> {
  await page.locator(`[data-conversation="phone:dialogue:${peer.phone}"]`).click();
  await expect.poll(() => page.locator('#conversation-title').textContent()).toBe(peer.phone);
}

function message(page: Page, text: string) {
  return page.locator('.messages .message').filter({ hasText: text });
}

async function pair(): Promise<{ alice: User; bob: User; alicePage: Page; bobPage: Page }> {
  const alice = await signup(server);
  const bob = await signup(server);
  await openDialogue(server, alice, bob);
  const { page: alicePage } = await newPage(browser);
  const { page: bobPage } = await newPage(browser);
  await logIn(alicePage, server.url, alice.username, alice.password);
  await logIn(bobPage, server.url, bob.phone, bob.password);
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
    const alice = await signup(server);
    const bob = await signup(server);
    await openDialogue(server, alice, bob);
    const proxy = await DropProxy.to(server);
    try {
      const { page: alicePage } = await newPage(browser);
      const { page: bobPage } = await newPage(browser);
      await logIn(alicePage, server.url, alice.username, alice.password);
      await logIn(bobPage, proxy.url, bob.username, bob.password);
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
});
