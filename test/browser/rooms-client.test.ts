// The web client on the rooms dialect, two members of one room in two browser contexts.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { request } from '../support/clients.js';
import { createRoom, roomSocket, roomsUser, type RoomsUser } from '../support/rooms.js';
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
});
