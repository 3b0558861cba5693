// The first screen with 1,000 services: it renders every row, stays live, and
// the time it takes is measured and printed (a figure to read, not asserted).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launchBrowser, openPage, screenshot, serviceRow, startServer } from './helpers.js';

const SERVICES = 1000;

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  // Seeded by concurrent pulses, 50 at a time.
  const names = Array.from({ length: SERVICES }, (_, i) => `svc-${String(i).padStart(4, '0')}`);
  for (let i = 0; i < names.length; i += 50) {
    await Promise.all(names.slice(i, i + 50).map((name, j) =>
      server.api.pulse(name, 600 + ((i + j) % 97) * 60, { alertType: 'webhook', alertTarget: 'ops' })));
  }
  assert.equal((await server.api.services()).length, SERVICES);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/**
 * Loads the services view in `page`; resolves to the times (ms from the start of
 * the navigation) at which the first rows were in the DOM, were painted, and all
 * rows were in the DOM, and the wall-clock time until then as the test saw it.
 */
async function timeFirstScreen(page, load) {
  const started = Date.now();
  await load();
  await page.waitForFunction((n) => document.querySelectorAll('tbody tr').length === n, SERVICES, { timeout: 30_000 });
  const wall = Date.now() - started;
  const times = await page.evaluate(() => ({
    firstRows: performance.getEntriesByName('services-first-rows')[0]?.startTime,
    painted: window.__watchtowerFirstScreen,
    allRows: performance.getEntriesByName('services-all-rows')[0]?.startTime,
  }));
  return { wall, ...Object.fromEntries(Object.entries(times).map(([k, v]) => [k, Math.round(v)])) };
}

test(`the first screen with ${SERVICES} services renders every row and stays live`, async (t) => {
  const { page, context, problems } = await openPage(browser, server);
  const cold = await timeFirstScreen(page, () => page.goto(`${server.url}/ui/#/services`));
  const warm = await timeFirstScreen(page, () => page.reload());
  const tab = await openPage(browser, server);
  const fresh = await timeFirstScreen(tab.page, () => tab.page.goto(`${server.url}/ui/#/services`));
  await tab.context.close();
  problems.push(...tab.problems);
  const report = (label, { wall, firstRows, painted, allRows }) =>
    `${label}: first screen painted ${painted} ms after the navigation began (rows in the DOM at ${firstRows} ms), `
    + `all ${SERVICES} rows at ${allRows} ms; ${wall} ms as the test saw it`;
  for (const line of [report('first load in a fresh browser', cold), report('reload', warm), report('another tab', fresh)]) {
    t.diagnostic(line);
  }
  assert.match(await page.locator('#services-summary').textContent(), new RegExp(`^${SERVICES} services: ${SERVICES} up, 0 dead$`));

  // Still live at this size: a service dies (a pulse with a short deadline) and shows it.
  await page.locator('.live-state[data-state="live"]').waitFor();
  await server.api.pulse('svc-0500', 0.5);
  await serviceRow(page, 'svc-0500').locator('.status-text', { hasText: 'dead' }).waitFor({ timeout: 10_000 });
  await page.getByLabel('dead', { exact: true }).check();
  await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 1);
  await page.getByLabel('all', { exact: true }).check();
  await page.waitForFunction((n) => document.querySelectorAll('tbody tr').length === n, SERVICES);
  await screenshot(page, 'services-1000', { fullPage: false });
  await context.close();
  assert.deepEqual(problems, []);
});
