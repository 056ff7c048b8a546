// The phone seed's test pages and the static files, against the real server in a real browser.
import http from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { request, signup } from '../support/clients.js';
import { createGroup, openDialogue } from '../support/phone.js';
import type { TestServer } from '../support/server.js';
import { browserTest, logIn, newPage, startSuite, stopSuite } from './support.js';

let server: TestServer;
let browser: Browser;

beforeAll(async () => ({ server, browser } = await startSuite()));
afterAll(() => stopSuite(server, browser));

function logLine(page: Page, className: string, text: string) {
  return page.locator(`#log li.${className}`).filter({ hasText: text });
}

describe('test pages', () => {
  browserTest('the personal page sends a message that the peer’s page shows, and acknowledges it with the page’s own timestamp', async () => {
    const alice = await signup(server);
    const bob = await signup(server);
    await openDialogue(server, alice, bob);
    const { page: alicePage } = await newPage(browser);
    const { page: bobPage } = await newPage(browser);
    await logIn(alicePage, server.url, alice.username, alice.password);
    await logIn(bobPage, server.url, bob.username, bob.password);
    await alicePage.goto(`${server.url}/chat/personal/${alice.phone}/${bob.phone}/`);
    await bobPage.goto(`${server.url}/chat/personal/${bob.phone}/${alice.phone}/`);
    for (const page of [alicePage, bobPage]) {
      await logLine(page, 'status', 'receive socket open').waitFor();
      await logLine(page, 'status', 'send socket open').waitFor();
    }

    await alicePage.getByLabel('Message').fill('from the test page');
    await alicePage.getByRole('button', { name: 'Send', exact: true }).click();
    await logLine(alicePage, 'msg_sent', 'sent').waitFor();
    const delivered = logLine(bobPage, 'new_msg', 'from the test page');
    await delivered.waitFor();
    const stamp = /\(([^)]+)\)$/.exec((await delivered.textContent()) ?? '')?.[1] ?? '';
    expect(stamp).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/);

    await bobPage.getByLabel('Timestamp to acknowledge').fill(stamp);
    await bobPage.getByRole('button', { name: 'Received' }).click();
    await logLine(alicePage, 'msg_received', `msg_received ${stamp}`).waitFor();
    await bobPage.getByRole('button', { name: 'Typing' }).click();
    await logLine(alicePage, 'is_typing', `${bob.phone} is typing`).waitFor();
    expect(await bobPage.locator('#log li.error').count()).toBe(0);
  });

  browserTest('the group page posts to the group and the other member’s group page shows the sender’s phone', async () => {
    const alice = await signup(server);
    const bob = await signup(server);
    const key = await createGroup(server, alice, [bob]);
    const { page: alicePage } = await newPage(browser);
    const { page: bobPage } = await newPage(browser);
    await logIn(alicePage, server.url, alice.username, alice.password);
    await logIn(bobPage, server.url, bob.username, bob.password);
    await alicePage.goto(`${server.url}/chat/group/${alice.phone}/${key}/`);
    await bobPage.goto(`${server.url}/chat/group/${bob.phone}/${key}/`);
    for (const page of [alicePage, bobPage]) await logLine(page, 'status', 'send socket open').waitFor();
    await alicePage.getByLabel('Message').fill('hello group');
    await alicePage.getByRole('button', { name: 'Send', exact: true }).click();
    await logLine(bobPage, 'new_msg', `${alice.phone}: hello group`).waitFor();
    await logLine(alicePage, 'msg_sent', 'sent').waitFor();
  });

  browserTest('the index page leads to the personal page, and a page for someone else’s phone is refused by the server', async () => {
    const alice = await signup(server);
    const bob = await signup(server);
    const { page } = await newPage(browser);
    await logIn(page, server.url, alice.username, alice.password);
    await page.goto(`${server.url}/chat/`);
    await page.getByLabel('Your phone').fill(alice.phone);
    await page.getByLabel('Their phone').fill(bob.phone);
    await page.getByRole('button', { name: 'Personal chat' }).click();
    await page.waitForURL(`${server.url}/chat/personal/${alice.phone}/${bob.phone}/`);
    await logLine(page, 'status', 'receive socket open').waitFor();

    await page.goto(`${server.url}/chat/room/${bob.phone}/`);
    await logLine(page, 'status', 'receive socket closed (4403').waitFor();
  });

  browserTest('without a session a test page sends the visitor to log in, and back after it', async () => {
    const alice = await signup(server);
    const bob = await signup(server);
    const { page } = await newPage(browser);
    await page.goto(`${server.url}/chat/personal/${alice.phone}/${bob.phone}/`);
    expect(new URL(page.url()).pathname).toBe('/');
    await page.getByLabel('Username, e-mail or phone', { exact: true }).fill(alice.email);
    await page.getByLabel('Password', { exact: true }).fill(alice.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${server.url}/chat/personal/${alice.phone}/${bob.phone}/`);
    await logLine(page, 'status', 'receive socket open').waitFor();
  });

  browserTest('the client fits a phone-sized screen: the list and the conversation take turns', async () => {
    const alice = await signup(server);
    const bob = await signup(server);
    await openDialogue(server, alice, bob);
    const { page } = await newPage(browser, { width: 375, height: 667 });
    await logIn(page, server.url, alice.username, alice.password);
    const item = page.locator(`[data-conversation="phone:dialogue:${bob.phone}"]`);
    expect(await item.isVisible()).toBe(true);
    await item.click();
    expect(await item.isVisible()).toBe(false);
    expect(await page.getByLabel('Message', { exact: true }).isVisible()).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await page.getByRole('button', { name: '← Conversations' }).click();
    expect(await item.isVisible()).toBe(true);
  });
});

describe('static files', () => {
  test('the client page and its hashed assets are served with their types and cache headers', async () => {
    const page = await fetch(`${server.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const script = /src="(\/assets\/main-[A-Z0-9]{8}\.js)"/.exec(await page.text())?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${server.url}${script ?? ''}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toBe('application/javascript; charset=utf-8');
    expect(asset.headers.get('etag')).toMatch(/^W\/"/);
    // fetch() would add `Cache-Control: no-cache` to a conditional request: plain HTTP here.
    const revalidated = await new Promise<number>((resolve, reject) =>
      http
        .get(`${server.url}${script ?? ''}`, { headers: { 'if-none-match': asset.headers.get('etag') ?? '' } }, (response) => resolve(response.resume().statusCode ?? 0))
        .on('error', reject),
    );
    expect(revalidated).toBe(304);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const pagesScript = await fetch(`${server.url}/assets/chat-pages.js`);
    expect(pagesScript.headers.get('cache-control')).toBe('no-cache');
  });

  test('asset paths cannot leave the asset directory', async () => {
    for (const path of ['/assets/..%2F..%2Fpackage.json', '/assets/%2e%2e%2findex.html', '/assets/../../package.json', '/assets/.hidden.js', '/assets/missing.js']) {
      const answer = await fetch(`${server.url}${path}`);
      expect(answer.status, path).toBe(404);
      expect(await answer.text(), path).not.toContain('"name": "parley"');
    }
  });

  test('/web/me names the caller of a session and refuses a request without one', async () => {
    const alice = await signup(server);
    const me = await request(server, 'GET', '/web/me', { token: alice.token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ phone: alice.phone, username: alice.username, email: alice.email });
    expect((await request(server, 'GET', '/web/me')).status).toBe(401);
  });

  test('the rooms log-in sets the session cookie and its log-out clears it', async () => {
    const alice = await signup(server);
    const login = await fetch(`${server.url}/api/user/login/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: alice.email, password: alice.password }),
    });
    const cookie = login.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^parley_session=[0-9a-f]{40}; Max-Age=2592000; Path=\/; HttpOnly; SameSite=Strict$/);
    const session = cookie.split(';')[0] ?? '';
    const me = await fetch(`${server.url}/web/me`, { headers: { cookie: session } });
    expect(me.status).toBe(200);
    const logout = await fetch(`${server.url}/api/user/logout/`, { method: 'POST', headers: { cookie: session, origin: server.url } });
    expect(logout.headers.get('set-cookie')).toMatch(/^parley_session=; .*Max-Age=0/);
    expect((await fetch(`${server.url}/web/me`, { headers: { cookie: session } })).status).toBe(401);
  });
});
