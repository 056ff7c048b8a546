// The README's picture of the web client, from a real run: a room with a day separator, grouped
// messages, a reply, reactions as emoji buttons, the unread line, typing and the connection
// state. The test checks the scene and saves the picture in test-results/screenshot.png, or where
// PARLEY_SCREENSHOT says (`PARLEY_SCREENSHOT=docs/screenshot.png npx vitest run --project browser
// test/browser/screenshot.test.ts` retakes the README's).
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { SocketClient } from '../support/clients.js';
import { createRoom, roomSocket, roomsUser } from '../support/rooms.js';
import type { TestServer } from '../support/server.js';
import { browserTest, logIn, newPage, startSuite, stopSuite, timelineShape } from './support.js';

let server: TestServer;
let browser: Browser;

beforeAll(async () => ({ server, browser } = await startSuite()));
afterAll(() => stopSuite(server, browser));

/** Sends on a member's room socket and returns the id of the message from its broadcast. */
async function post(socket: SocketClient, text: string, parent: number | null = null): Promise<number> {
  socket.send({ action: 'send_message', message: text, parent_message_id: parent });
  const frame = await socket.take((f) => f.message === text && f.is_self === true);
  return frame.id as number;
}

async function react(socket: SocketClient, messageId: number, reaction: string): Promise<void> {
  socket.send({ action: 'react_message', message_id: messageId, reaction });
  await socket.take((f) => f.action === 'reacted' && f.id === messageId);
}

describe('README screenshot', () => {
  browserTest('a room as a reader sees it, saved as the README picture', async () => {
    const anagh = await roomsUser(server, 'Anagh', 'Jaiswar');
    const achal = await roomsUser(server, 'Achal', 'Singh');
    const sparsh = await roomsUser(server, 'Sparsh', 'Gupta');
    const roomId = await createRoom(server, anagh, [achal, sparsh], '2nd_year');
    const otherRoom = await createRoom(server, achal, [anagh], 'project_team');
    const achalSocket = await roomSocket(server, roomId, achal);
    const sparshSocket = await roomSocket(server, roomId, sparsh);
    const anaghSocket = await roomSocket(server, roomId, anagh);
    try {
      await post(achalSocket, 'Has everyone seen the new timetable?');
      await post(achalSocket, 'Labs moved around quite a bit 😬');
      const lab = await post(anaghSocket, 'Yes, lab moved to Thursday 3pm');
      await post(anaghSocket, 'Same room as before');
      await react(achalSocket, lab, 'Like');
      await react(sparshSocket, lab, 'Like');
      await react(sparshSocket, lab, 'Heart');

      const { page } = await newPage(browser, { width: 1100, height: 760 });
      await logIn(page, server.url, anagh.email, anagh.password, 'rooms');
      await page.locator(`[data-conversation="rooms:${roomId}"]`).click();
      await page.locator('.messages .message').nth(3).waitFor();
      await page.locator(`[data-conversation="rooms:${otherRoom}"]`).click();

      const thanks = await post(sparshSocket, 'Thanks! I will update the calendar', lab);
      await post(sparshSocket, 'Shared it in project_team too');
      await react(achalSocket, thanks, 'HaHa');
      await page.locator(`[data-conversation="rooms:${roomId}"] .badge`).filter({ hasText: '2' }).waitFor();
      await page.locator(`[data-conversation="rooms:${roomId}"]`).click();
      await page.locator('.reaction[data-reaction=HaHa]').waitFor();
      achalSocket.send({ action: 'typing' });
      await page.locator('.typing').filter({ hasText: 'Achal is typing…' }).waitFor();

      expect(await timelineShape(page)).toEqual([
        'day:Today',
        'Has everyone seen the new timetable?',
        'Labs moved around quite a bit 😬+',
        'Yes, lab moved to Thursday 3pm',
        'Same room as before+',
        'unread',
        'Thanks! I will update the calendar',
        'Shared it in project_team too+',
      ]);
      expect(await page.locator('.reaction').allTextContents()).toEqual(['👍 2', '❤️ 1', '😂 1']);
      expect(await page.locator('.conversation > header [role=status]').textContent()).toBe('Connected');
      // The emoji are drawn from a colour font: a glyph with colour in it, not a grey outline.
      const colours = await page.locator('.reaction[data-reaction=Heart] .emoji').evaluate((emoji) => {
        const canvas = document.createElement('canvas');
        canvas.width = canvas.height = 40;
        const context = canvas.getContext('2d') as CanvasRenderingContext2D;
        context.font = `32px ${getComputedStyle(emoji).fontFamily}`;
        context.textBaseline = 'top';
        context.fillText(emoji.textContent ?? '', 0, 0);
        const pixels = context.getImageData(0, 0, 40, 40).data;
        let red = 0;
        for (let i = 0; i < pixels.length; i += 4) if ((pixels[i] ?? 0) > 150 && (pixels[i + 1] ?? 0) < 90 && (pixels[i + 3] ?? 0) > 200) red += 1;
        return red;
      });
      expect(colours, 'emoji drawn without colour: is fonts-noto-color-emoji installed?').toBeGreaterThan(50);

      // The picker of the last message open, as a reader about to react sees it.
      const last = page.locator('.messages .message').last();
      await last.getByRole('button', { name: 'Add reaction' }).click();
      await last.getByRole('group', { name: 'Choose a reaction' }).waitFor();
      await page.screenshot({ path: path.resolve(process.env.PARLEY_SCREENSHOT ?? 'test-results/screenshot.png') });
    } finally {
      for (const socket of [achalSocket, sparshSocket, anaghSocket]) socket.close();
    }
  });
});
