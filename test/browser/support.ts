// Browser-suite support: the system's Chromium driven by playwright-core, a server on a fixed
// port, a TCP proxy whose connections can be cut (a real dropped network), log-in through the
// client's form, and a screenshot of every page when a test fails.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { test } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];
const SCREENSHOTS = path.resolve('test-results', 'screenshots');

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.PARLEY_TEST_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** A server whose port stays the same across restarts, so pages keep their origin. */
export async function startBrowserServer(): Promise<TestServer> {
  return startTestServer({ port: await freePort() });
}

/** What a test file shares: one server and one browser, started before its tests. */
export async function startSuite(): Promise<{ server: TestServer; browser: Browser }> {
  return { server: await startBrowserServer(), browser: await launchBrowser() };
}

export async function stopSuite(server: TestServer | undefined, browser: Browser | undefined): Promise<void> {
  await browser?.close();
  await server?.close();
}

/**
 * Forwards a local port to the server; `drop()` cuts every connection and refuses new ones until
 * `restore()`; `stall()` swallows what clients send while their connections stay open, so a frame
 * written then never arrives.
 */
export class DropProxy {
  private readonly sockets = new Set<net.Socket>();
  private refusing = false;
  private stalled = false;
  private readonly server: net.Server;
  url = '';

  private constructor(target: number) {
    this.server = net.createServer((client) => {
      if (this.refusing) {
        client.destroy();
        return;
      }
      const upstream = net.connect(target, '127.0.0.1');
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.on('data', (chunk) => {
        if (!this.stalled) upstream.write(chunk);
      });
      upstream.pipe(client);
    });
  }

  static async to(server: TestServer): Promise<DropProxy> {
    const proxy = new DropProxy(Number(new URL(server.url).port));
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    const address = proxy.server.address();
    proxy.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    return proxy;
  }

  stall(): void {
    this.stalled = true;
  }

  drop(): void {
    this.refusing = true;
    for (const socket of this.sockets) socket.destroy();
  }

  restore(): void {
    this.refusing = false;
    this.stalled = false;
  }

  close(): Promise<void> {
    this.drop();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Pages opened during the running test, for the failure screenshots. */
const openPages = new Set<Page>();

export async function newPage(browser: Browser, viewport = { width: 1000, height: 720 }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  openPages.add(page);
  page.on('close', () => openPages.delete(page));
  return { context, page };
}

/** Logs in through the client's form: the phone app's /auth/login/ or the rooms app's /api/user/login/. */
export async function logIn(page: Page, baseUrl: string, id: string, password: string, account: 'phone' | 'rooms' = 'phone'): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.getByLabel(account === 'phone' ? /Phone app/ : /Rooms app/).check();
  await page.getByLabel('Username, e-mail or phone', { exact: true }).fill(id);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('status').filter({ hasText: 'Connected' }).waitFor();
}

/**
 * The open conversation as short strings, top to bottom: "day:Today", "unread", and each message's
 * body, with "+" when it continues its sender's group.
 */
export function timelineShape(page: Page): Promise<string[]> {
  return page.locator('.messages > li').evaluateAll((items) =>
    items.map((item) => {
      if (item.classList.contains('day')) return `day:${item.textContent ?? ''}`;
      if (item.classList.contains('unread-line')) return 'unread';
      const body = item.querySelector('.body')?.textContent ?? '';
      return item.classList.contains('continued') ? `${body}+` : body;
    }),
  );
}

/** The send state of my message with this text: sending, sent, received, read or failed. */
export function receiptOf(page: Page, text: string): Promise<string | null> {
  return page.locator('.messages .message').filter({ hasText: text }).locator('.receipt').getAttribute('data-receipt');
}

/** The connection state the open conversation shows (`data-state`) and its text. */
export async function conversationLink(page: Page): Promise<{ state: string | null; text: string | null }> {
  const status = page.locator('.conversation > header [role=status]');
  return { state: await status.getAttribute('data-state'), text: await status.textContent() };
}

/** A test that keeps a screenshot of every open page under test-results/screenshots/ when it fails. */
export function browserTest(name: string, body: () => Promise<void>): void {
  test(name, async () => {
    try {
      await body();
    } catch (error) {
      fs.mkdirSync(SCREENSHOTS, { recursive: true });
      const base = name.replace(/[^a-z0-9]+/gi, '-').slice(0, 80);
      let index = 0;
      for (const page of openPages) {
        index += 1;
        await page.screenshot({ path: path.join(SCREENSHOTS, `${base}-${index}.png`), fullPage: true }).catch(() => undefined);
      }
      throw error;
    } finally {
      for (const page of openPages) await page.context().close().catch(() => undefined);
      openPages.clear();
    }
  });
}
