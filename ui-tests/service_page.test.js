// A service's page: its outages (deaths and recoveries, with their lengths),
// uptime over 24 h / 7 d / 30 d, its recent events, all kept live.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launchBrowser, openPage, screenshot, startServer, waitFor } from './helpers.js';

let server;
let browser;

/** Pulses `name` to die within a moment, waits for its death, and brings it back. */
async function dieAndRecover(name) {
  await server.api.pulse(name, 0.5);
  await waitFor(async () => (await server.api.services()).some((s) => s.service === name && s.status === 'dead'),
    { what: `${name} to die` });
  await server.api.pulse(name, 3600);
}

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  await dieAndRecover('nightly-backup');
  await server.api.addEvents([
    { service: 'nightly-backup', level: 'warning', message: 'disk 91% full' },
    { service: 'nightly-backup', level: 'info', message: 'backup done: 12 GB' },
  ]);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the service page lists its outage, its uptime and its recent events', async () => {
  const { page, context, problems } = await openPage(browser, server);
  // From the list, a click on its name.
  await page.goto(`${server.url}/ui/#/services`);
  await page.getByRole('link', { name: 'nightly-backup' }).click();
  await page.waitForURL(/#\/services\/nightly-backup$/);
  await page.getByRole('heading', { name: 'nightly-backup' }).waitFor();
  assert.equal(await page.locator('.service-status .status-text').textContent(), 'up');

  const outages = page.locator('table.outages tbody tr');
  await outages.first().waitFor();
  assert.equal(await outages.count(), 1, 'one death and one recovery: one outage');
  const [died, recovered] = await outages.first().locator('time').evaluateAll((times) => times.map((t) => Date.parse(t.dateTime)));
  assert.ok(died < recovered, `died ${died}, recovered ${recovered}`);
  assert.match(await outages.first().locator('.outage-length').textContent(), /^\d+(ms|s)$/);

  const uptime = page.locator('.uptime');
  assert.equal(await uptime.count(), 3);
  assert.deepEqual(await uptime.locator('.uptime-label').allTextContents(), ['24 hours', '7 days', '30 days']);
  for (const value of await uptime.locator('.uptime-value').allTextContents()) {
    assert.match(value, /^\d{1,3}(\.\d\d)?%$/);
    assert.notEqual(value, '100%', 'an outage shows in the uptime');
  }
  const history = await server.api.history('nightly-backup');
  assert.equal(history.outages.length, 1);

  const recent = page.locator('.recent tbody tr');
  await recent.first().waitFor();
  const messages = await recent.locator('.message-text').allTextContents();
  assert.equal(messages[0], 'backup done: 12 GB', 'newest first');
  assert.ok(messages.includes('disk 91% full'));
  assert.ok(messages.some((m) => m.startsWith('dead: missed its deadline')), messages.join(' | '));
  assert.ok(messages.some((m) => m.startsWith('recovered:')), messages.join(' | '));

  await screenshot(page, 'service-page-light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await screenshot(page, 'service-page-dark');

  // The link to all of its events opens the events view filtered on it.
  await page.getByRole('link', { name: 'All events of this service' }).click();
  await page.waitForURL(/#\/events\?service=nightly-backup$/);
  await page.locator('table.events-table tbody tr').first().waitFor();
  await context.close();
  assert.deepEqual(problems, []);
});

test('the service page follows a death and a recovery live', async () => {
  await server.api.pulse('live-one', 3600);
  const { page, context, problems } = await openPage(browser, server);
  await page.goto(`${server.url}/ui/#/services/live-one`);
  await page.locator('.live-state[data-state="live"]').waitFor();
  await page.locator('.no-outages').waitFor();

  await server.api.pulse('live-one', 0.5);
  await page.locator('.service-status .status-text', { hasText: 'dead' }).waitFor({ timeout: 10_000 });
  const ongoing = page.locator('table.outages tbody tr.ongoing');
  await ongoing.waitFor();
  assert.match(await ongoing.textContent(), /still down/);

  await server.api.pulse('live-one', 3600);
  await page.locator('.service-status .status-text', { hasText: 'up' }).waitFor();
  await page.locator('table.outages tbody tr.ongoing').waitFor({ state: 'detached' });
  assert.equal(await page.locator('table.outages tbody tr').count(), 1);
  await context.close();
  assert.deepEqual(problems, []);
});

test('cancelling from the service page asks first, and the page says it is no longer monitored', async () => {
  await server.api.pulse('to-retire', 3600);
  const { page, context, problems } = await openPage(browser, server);
  await page.goto(`${server.url}/ui/#/services/to-retire`);
  await page.getByRole('button', { name: 'Cancel monitoring…' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel monitoring' }).click();
  await page.locator('.service-facts', { hasText: 'no longer monitored' }).waitFor();
  assert.ok(!(await server.api.services()).some((s) => s.service === 'to-retire'));
  await context.close();
  assert.deepEqual(problems, []);
});

test('a scheduled service shows its schedule, its zone and its grace', async () => {
  await server.api.call('POST', '/', {
    service: 'weekday-report', alertType: 'webhook', alertTarget: 'ops',
    schedule: '30 2 * * 1-5', tz: 'Europe/Berlin', grace: '15m',
  });
  const { page, context, problems } = await openPage(browser, server);
  await page.goto(`${server.url}/ui/#/services/weekday-report`);
  const facts = page.locator('.service-facts dl');
  await facts.waitFor();
  const terms = await facts.locator('dt').allTextContents();
  const values = await facts.locator('dd').allTextContents();
  const fact = (term) => values[terms.indexOf(term)];
  assert.equal(fact('Schedule'), '30 2 * * 1-5 (Europe/Berlin)');
  assert.equal(fact('Grace'), '15m past the expected time');
  assert.ok(!terms.includes('Pulse interval'), terms.join(', '));
  await context.close();
  assert.deepEqual(problems, []);
});

test('pause and resume from the service page; a service past its expected time shows late', async () => {
  await server.api.pulse('maintenance', 3600);
  await server.api.pulse('slowpoke', 0.3, { grace: 600 });
  const { page, context, problems } = await openPage(browser, server);
  await page.goto(`${server.url}/ui/#/services/maintenance`);
  await page.getByRole('button', { name: 'Pause' }).click();
  await page.locator('.service-status .status-text', { hasText: 'paused' }).waitFor();
  assert.equal((await server.api.services()).find((s) => s.service === 'maintenance').status, 'paused');
  await page.getByRole('button', { name: 'Resume' }).click();
  await page.locator('.service-status .status-text', { hasText: 'up' }).waitFor();
  assert.equal((await server.api.services()).find((s) => s.service === 'maintenance').status, 'up');

  // In the list, the late service turns late by itself, and the filter finds it.
  await page.goto(`${server.url}/ui/#/services?status=late`);
  const row = page.locator('tbody tr[data-service="slowpoke"]');
  await row.locator('.status-text', { hasText: 'late' }).waitFor();
  assert.equal(await page.locator('tbody tr[data-service="maintenance"]').count(), 0);
  await screenshot(page, 'services-late');
  await context.close();
  assert.deepEqual(problems, []);
});

test('a test alert from the service page shows what the channel said', async () => {
  await server.api.pulse('alerted', 3600);
  const { page, context, problems } = await openPage(browser, server);
  await page.goto(`${server.url}/ui/#/services/alerted`);
  await page.getByRole('button', { name: 'Send a test alert' }).click();
  // This server's webhook points at a closed port: the page says so, in the channel's words.
  const result = page.locator('.test-result');
  await result.filter({ hasText: 'Test alert failed: alertTarget: not delivered: webhook ops' }).waitFor();
  await context.close();
  // The 502 was asked for; Chromium logs it as a failed load.
  assert.deepEqual(problems.filter((p) => !/status of 502/.test(p)), []);
});

test('alerts failing to deliver show in a banner, naming the channel and its error', async () => {
  // This server's webhook points at a closed port: the death's alert keeps failing.
  await waitFor(async () => (await server.api.call('GET', '/alerts?state=failing')).length > 0,
    { what: 'an alert to fail' });
  const { page, context, problems } = await openPage(browser, server);
  await page.goto(`${server.url}/ui/#/services`);
  const banner = page.getByRole('alert').filter({ hasText: 'Alerts are failing to deliver' });
  await banner.waitFor();
  assert.match(await banner.textContent(), /webhook ops \(\w+ alert of [\w-]+, \d+ attempts?\): .+/);
  await screenshot(page, 'delivery-banner');
  await context.close();
  assert.deepEqual(problems, []);
});
