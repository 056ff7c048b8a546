// The API page at /docs/api/ (Swagger UI) in a real browser, under Parley's own Content-Security-Policy.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { TestServer } from '../support/server.js';
import { browserTest, newPage, startSuite, stopSuite } from './support.js';

let server: TestServer;
let browser: Browser;

beforeAll(async () => ({ server, browser } = await startSuite()));
afterAll(() => stopSuite(server, browser));

describe('the API page', () => {
  browserTest("renders every documented route under Parley's CSP, with no CSP refusal", async () => {
    const { page } = await newPage(browser);
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || /Content.Security.Policy|Refused to/i.test(message.text())) problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    // Every refusal, reported or not on the console.
    await page.addInitScript(() =>
      document.addEventListener('securitypolicyviolation', (event) => console.error(`CSP refused ${event.violatedDirective}`)),
    );
    const response = await page.goto(`${server.url}/docs/api/`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");

    const openapi = (await (await fetch(`${server.url}/docs/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const operations = Object.values(openapi.paths).reduce((count, methods) => count + Object.keys(methods).length, 0);
    await page.locator('.opblock').first().waitFor();
    expect(await page.locator('.opblock').count()).toBe(operations);
    await page.locator('.opblock-summary-path', { hasText: '/api/chat/groups/{id}/messages/' }).first().waitFor();
    await page.locator('.opblock-summary-path', { hasText: '/chat/special/group/' }).first().waitFor();

    // Opening an operation shows its answers' schemas.
    await page.locator('.opblock-get .opblock-summary', { hasText: '/web/me' }).click();
    await page.locator('.opblock-get.is-open .responses-table').getByText('first_name').first().waitFor();
    expect(problems).toEqual([]);
  });
});
