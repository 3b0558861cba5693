// The services list: what it shows, live deaths and recoveries through the
// services stream, search and filters in the URL, and cancelling with confirmation.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launchBrowser, openPage, screenshot, serviceRow, startServer, waitFor } from './helpers.js';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  await server.api.pulse('backup', 90_000);
  await server.api.pulse('db-primary', 600, { remindEvery: 3600 });
  await server.api.pulse('web-frontend', 300, { dependsOn: 'db-primary' });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Opens the services view and waits until its stream is live. */
async function openServices(options) {
  const opened = await openPage(browser, server, options);
  await opened.page.goto(`${server.url}/ui/#/services`);
  await opened.page.locator('.live-state[data-state="live"]').waitFor();
  return opened;
}

test('the list shows each service with its status, last pulse, live countdown and alert', async () => {
  const { page, context, problems } = await openServices();
  const row = serviceRow(page, 'backup');
  await row.waitFor();
  assert.equal(await row.locator('.status-text').textContent(), 'up');
  assert.equal(await row.locator('.alert-type').textContent(), 'webhook');
  assert.equal(await row.locator('.alert-target').textContent(), 'ops');
  assert.match(await row.locator('[data-ago]').textContent(), /^\d+s ago$/);
  const countdown = row.locator('[data-deadline]');
  const first = await countdown.textContent();
  assert.match(first, /^in 1d 1h$|^in 1d 0h$|^in 1d$|^in 25h/);
  const web = serviceRow(page, 'web-frontend').locator('[data-deadline]');
  const before = await web.textContent();
  assert.match(before, /^in [45]m( \d+s)?$/);
  // The countdown ticks without any reload.
  await page.waitForFunction((text) => document.querySelector('tr[data-service="web-frontend"] [data-deadline]').textContent !== text, before, { timeout: 3000 });
  assert.match(await page.locator('#services-summary').textContent(), /^3 services: 3 up, 0 dead$/);
  await context.close();
  assert.deepEqual(problems, []);
});

test('a service dies live on screen and recovers live when it pulses again', async () => {
  const { page, context, problems } = await openServices();
  await page.evaluate(() => { window.notReloaded = true; });

  // It appears with its first pulse, while the page is open.
  await server.api.pulse('flaky-job', 1);
  const row = serviceRow(page, 'flaky-job');
  await row.locator('.status-text', { hasText: 'up' }).waitFor({ timeout: 5000 });

  // One second later it misses its deadline: the server declares it dead and the row says so.
  await row.locator('.status-text', { hasText: 'dead' }).waitFor({ timeout: 10_000 });
  assert.match(await row.getAttribute('class'), /row-dead/);
  assert.match(await page.locator('#services-summary').textContent(), /1 dead/);
  assert.match(await page.title(), /^\(1 dead\) Services/);
  // Screen readers hear it too.
  await page.waitForFunction(() => document.getElementById('announcer').textContent === 'flaky-job is dead', null, { timeout: 2000 });
  await screenshot(page, 'services-with-a-dead-service');

  await server.api.pulse('flaky-job', 3600);
  await row.locator('.status-text', { hasText: 'up' }).waitFor({ timeout: 5000 });
  assert.match(await page.locator('#services-summary').textContent(), /0 dead/);
  assert.equal(await page.evaluate(() => window.notReloaded), true, 'the page was not reloaded');
  await context.close();
  assert.deepEqual(problems, []);
});

test('search, status filter and sort are mirrored in the URL and survive a reload', async () => {
  await server.api.pulse('dying-soon', 0.5);
  await waitFor(async () => (await server.api.services()).some((s) => s.service === 'dying-soon' && s.status === 'dead'), { what: 'dying-soon to die' });
  const { page, context, problems } = await openServices();
  await serviceRow(page, 'dying-soon').waitFor();

  await page.getByLabel('dead', { exact: true }).check();
  await waitFor(async () => (await page.locator('tbody tr').count()) === 1, { what: 'only the dead service' });
  assert.equal(await page.locator('tbody tr').getAttribute('data-service'), 'dying-soon');
  assert.match(page.url(), /#\/services\?status=dead$/);

  await page.getByLabel('all', { exact: true }).check();
  await page.getByLabel('Search').fill('db-');
  await waitFor(async () => (await page.locator('tbody tr').count()) === 1, { what: 'the search' });
  assert.equal(await page.locator('tbody tr').getAttribute('data-service'), 'db-primary');

  await page.getByLabel('Search').fill('');
  await page.getByLabel('Sort by').selectOption('status');
  await waitFor(async () => (await page.locator('tbody tr').first().getAttribute('data-service')) === 'dying-soon', { what: 'dead first' });
  assert.match(page.url(), /sort=status/);

  await page.reload();
  await page.locator('.live-state[data-state="live"]').waitFor();
  assert.equal(await page.getByLabel('Sort by').inputValue(), 'status');
  assert.equal(await page.locator('tbody tr').first().getAttribute('data-service'), 'dying-soon');
  await context.close();
  assert.deepEqual(problems, []);
});

test('cancelling asks for confirmation first, then removes the service', async () => {
  await server.api.pulse('retired-job', 3600);
  const { page, context, problems } = await openServices();
  const row = serviceRow(page, 'retired-job');
  await row.waitFor();

  await row.getByRole('button', { name: 'Cancel retired-job' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  assert.match(await dialog.textContent(), /Cancel retired-job\?/);
  await screenshot(page, 'services-cancel-confirmation');
  // Escape (or "Keep it") keeps the service.
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  assert.ok((await server.api.services()).some((s) => s.service === 'retired-job'));
  assert.equal(await row.count(), 1);

  await row.getByRole('button', { name: 'Cancel retired-job' }).click();
  await dialog.getByRole('button', { name: 'Cancel monitoring' }).click();
  await row.waitFor({ state: 'detached' });
  assert.ok(!(await server.api.services()).some((s) => s.service === 'retired-job'));
  await context.close();
  assert.deepEqual(problems, []);
});

test('a service cancelled elsewhere leaves the list live', async () => {
  await server.api.pulse('elsewhere', 3600);
  const { page, context, problems } = await openServices();
  const row = serviceRow(page, 'elsewhere');
  await row.waitFor();
  await server.api.call('DELETE', '/', { service: 'elsewhere' });
  await row.waitFor({ state: 'detached', timeout: 5000 });
  await context.close();
  assert.deepEqual(problems, []);
});

test('the keyboard alone reaches a service and opens its page', async () => {
  const { page, context, problems } = await openServices();
  await serviceRow(page, 'backup').waitFor();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Skip to content');
  let focused = '';
  for (let i = 0; i < 20 && focused !== 'backup'; i += 1) {
    await page.keyboard.press('Tab');
    focused = await page.evaluate(() => document.activeElement.textContent.trim());
  }
  assert.equal(focused, 'backup', 'Tab reaches the first service');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'backup' }).waitFor();
  await context.close();
  assert.deepEqual(problems, []);
});

test('screenshots of the services view, light, dark and on a phone', async () => {
  const backgrounds = {};
  for (const [name, options] of [
    ['services-light', { colorScheme: 'light' }],
    ['services-dark', { colorScheme: 'dark' }],
    ['services-phone', { colorScheme: 'light', viewport: { width: 390, height: 844 } }],
  ]) {
    const { page, context, problems } = await openServices(options);
    await serviceRow(page, 'backup').waitFor();
    if (name === 'services-phone') {
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the page is ${overflow}px wider than a phone's screen`);
    }
    backgrounds[name] = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    await screenshot(page, name);
    await context.close();
    assert.deepEqual(problems, []);
  }
  // The theme follows the system setting.
  assert.notEqual(backgrounds['services-light'], backgrounds['services-dark']);
});
