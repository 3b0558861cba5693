// The dashboard as a console: declaring and editing services (a schedule
// explained as it is typed), snoozing with a duration picker, a service's runs,
// pings and alerts, uptime bars, and the Channels page — on a desktop and on a
// phone, each action checked through the API.

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';

import { launchBrowser, openPage, screenshot, serviceRow, startServer, waitFor } from './helpers.js';

const HOOK_TOKEN = 'hook-secret-token-4242';
const PING_KEY = 'ping-key-secret-0123456789abcdef';
const PHONE = { width: 390, height: 844 };

let server;
let browser;
/** A webhook receiver that takes everything: the `dev` webhook's alerts land here. */
let receiver;
const received = [];

before(async () => {
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => { body += chunk; });
    request.on('end', () => {
      received.push({ url: request.url, body: JSON.parse(body || 'null') });
      response.writeHead(200).end('ok');
    });
  });
  await new Promise((done) => receiver.listen(0, '127.0.0.1', done));
  const hook = `http://127.0.0.1:${receiver.address().port}/hook`;
  server = await startServer({
    webhooks: {
      ops: { url: 'http://127.0.0.1:9/hook' },
      dev: { url: `${hook}?token=${HOOK_TOKEN}` },
    },
    routes: { oncall: [{ alertType: 'webhook', alertTarget: 'dev' }, { alertType: 'webhook', alertTarget: 'ops' }] },
    pingKeys: { cron: { key: PING_KEY, prefix: 'cron-' } },
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await new Promise((done) => receiver?.close(done));
});

/** The service as the API has it. */
async function apiService(name) {
  return (await server.api.services()).find((s) => s.service === name);
}

/** Whether the page is wider than its window (a phone must never scroll sideways). */
async function overflow(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

test('a service is declared from the list, its schedule explained in words with its next five times', async () => {
  const { page, context, problems } = await openPage(browser, server);
  await page.goto(`${server.url}/ui/#/services`);
  await page.getByRole('link', { name: 'New service' }).click();
  await page.waitForURL(/#\/new$/);
  await page.getByLabel('Name').fill('nightly-report');
  await page.getByRole('radio', { name: 'on a schedule' }).check();
  const cron = page.getByLabel('Cron expression');
  // A wrong expression: the server's own words, next to the field.
  await cron.fill('61 2 * * *');
  await page.locator('.schedule-error').filter({ hasText: /^schedule: / }).waitFor();
  assert.equal(await cron.getAttribute('aria-invalid'), 'true');
  await cron.fill('30 2 * * 1-5');
  await page.getByLabel('Time zone').fill('Europe/Berlin');
  const words = page.locator('.schedule-words');
  await words.filter({ hasText: '02:30' }).filter({ hasText: 'Europe/Berlin' }).waitFor();
  const times = await page.locator('.next-times time').evaluateAll((nodes) => nodes.map((n) => n.dateTime));
  assert.equal(times.length, 5);
  for (const time of times) {
    const berlin = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit', weekday: 'short' })
      .formatToParts(new Date(time));
    const part = (type) => berlin.find((p) => p.type === type).value;
    assert.equal(`${part('hour')}:${part('minute')}`, '02:30', time);
    assert.ok(!['Sat', 'Sun'].includes(part('weekday')), `${time} is a weekday`);
  }
  await page.getByLabel('Grace (optional)').fill('15m');
  // The channels and their targets are the server's: chosen, not typed.
  assert.deepEqual(await page.getByLabel('Alert through').locator('option').allTextContents(), ['webhook', 'route']);
  await page.getByLabel('Alert through').selectOption('route');
  await page.locator('select[name=alertTargetChoice]').selectOption('oncall');
  await page.getByRole('button', { name: 'Declare service' }).click();
  await page.waitForURL(/#\/services\/nightly-report$/);
  await page.locator('.service-status .status-text', { hasText: 'new' }).waitFor();

  const declared = await apiService('nightly-report');
  assert.equal(declared.status, 'new');
  assert.equal(declared.neverPulsed, true);
  assert.deepEqual([declared.schedule, declared.tz, declared.grace], ['30 2 * * 1-5', 'Europe/Berlin', 900]);
  assert.deepEqual([declared.alertType, declared.alertTarget], ['route', 'oncall']);
  await context.close();
  assert.deepEqual(problems.filter((p) => !/status of 400/.test(p)), []);
});

test('editing a service changes what was changed and keeps the rest', async () => {
  await server.api.pulse('db-backup', 3600, { remindEvery: 7200, grace: 60 });
  const { page, context, problems } = await openPage(browser, server);
  await page.goto(`${server.url}/ui/#/services/db-backup`);
  await page.getByRole('link', { name: 'Edit…' }).click();
  await page.waitForURL(/#\/services\/db-backup\/edit$/);
  const interval = page.getByLabel('Interval');
  await waitFor(async () => (await interval.inputValue()) === '1h', { what: 'the form to be filled' });
  assert.equal(await page.getByLabel('Grace (optional)').inputValue(), '1m');
  assert.equal(await page.getByLabel('Remind every (optional)').inputValue(), '2h');
  // A bad interval is refused before it is sent.
  await interval.fill('soon');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.getByRole('alert').filter({ hasText: 'nextIn: give an interval' }).waitFor();
  await interval.fill('2h');
  await page.locator('select[name=alertTargetChoice]').selectOption('dev');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.waitForURL(/#\/services\/db-backup$/);
  const edited = await apiService('db-backup');
  assert.deepEqual([edited.nextIn, edited.alertTarget, edited.remindEvery, edited.grace, edited.status], [7200, 'dev', 7200, 60, 'up']);
  const changed = await server.api.listEvents({ service: 'db-backup', message: 'monitoring changed' });
  assert.equal(changed.length, 1);
  assert.match(changed[0].message, /nextIn/);
  assert.match(changed[0].message, /alertTarget/);
  await context.close();
  assert.deepEqual(problems, []);
});

test('a snooze chosen from the picker marks the service until when, in the list too, and ends early', async () => {
  await server.api.pulse('web-frontend', 3600);
  const { page, context, problems } = await openPage(browser, server);
  await page.goto(`${server.url}/ui/#/services/web-frontend`);
  await page.getByLabel('Snooze alerts for').selectOption('4h');
  await page.getByLabel('Reason (optional)').fill('deploy');
  const asked = Date.now();
  await page.getByRole('button', { name: 'Snooze', exact: true }).click();
  const mark = page.locator('.service-status .badge.snoozed');
  await mark.waitFor();
  const snoozes = await server.api.call('GET', '/snoozes');
  assert.equal(snoozes.length, 1);
  assert.deepEqual([snoozes[0].service, snoozes[0].reason], ['web-frontend', 'deploy']);
  const until = Date.parse(snoozes[0].until);
  assert.ok(Math.abs(until - asked - 4 * 3600_000) < 60_000, `until ${snoozes[0].until}`);
  assert.equal(Date.parse(await mark.locator('time').getAttribute('datetime')), until);
  assert.match(await mark.textContent(), /snoozed until/);

  await page.goto(`${server.url}/ui/#/services`);
  await serviceRow(page, 'web-frontend').locator('.badge.snoozed').waitFor();
  assert.equal(await serviceRow(page, 'db-backup').locator('.badge.snoozed').count(), 0);
  assert.match(await page.locator('#services-summary').textContent(), /1 snoozed/);

  await page.goto(`${server.url}/ui/#/services/web-frontend`);
  await page.getByRole('button', { name: 'End snooze' }).click();
  await page.getByLabel('Snooze alerts for').waitFor();
  assert.equal(await page.locator('.service-status .badge.snoozed').count(), 0);
  assert.deepEqual(await server.api.call('GET', '/snoozes'), []);
  await context.close();
  assert.deepEqual(problems, []);
});

test('the service page shows its runs, its ping history and its alerts as they fared', async () => {
  const name = 'etl-job';
  await server.api.call('POST', `/services/${name}/start`, { alertType: 'webhook', alertTarget: 'dev', nextIn: 3600 });
  await new Promise((done) => setTimeout(done, 120));
  await server.api.pulse(name, 3600, { alertTarget: 'dev' });
  await server.api.call('POST', `/services/${name}/start`);
  await server.api.call('POST', `/services/${name}/fail`, { message: 'exit code 3: disk full' });
  await waitFor(() => received.some((r) => r.body?.service === name && r.body?.kind === 'down'), { what: 'the failure to be alerted' });

  const { page, context, problems } = await openPage(browser, server);
  await page.goto(`${server.url}/ui/#/services/${name}`);
  const runs = page.locator('.runs .run');
  await runs.first().waitFor();
  assert.equal(await runs.count(), 2);
  assert.equal(await page.locator('.runs .run-failed').count(), 1);
  assert.match(await page.locator('.run-summary').textContent(), /^2 runs: average .+, longest .+, 1 failed\.$/);

  const kinds = await page.locator('.pings-table .ping-kind').allTextContents();
  assert.deepEqual(kinds, ['fail', 'start', 'pulse', 'start']);
  assert.match(await page.locator('.pings-table tbody tr').first().textContent(), /disk full/);

  const alert = page.locator('.alerts-table tbody tr').filter({ hasText: 'down' });
  await alert.locator('.state-sent').waitFor();
  assert.match(await alert.textContent(), /webhook\s*dev/);
  await screenshot(page, 'service-activity');
  await context.close();
  assert.deepEqual(problems, []);
});

test('uptime bars: thirty days in the list and on the service page, an outage today in red', async () => {
  await server.api.pulse('flaky', 0.3);
  await waitFor(async () => (await apiService('flaky'))?.status === 'dead', { what: 'flaky to die' });
  await server.api.pulse('flaky', 3600);
  const { page, context, problems } = await openPage(browser, server);
  await page.goto(`${server.url}/ui/#/services`);
  const bars = serviceRow(page, 'flaky').locator('svg.uptime-bars rect');
  await bars.first().waitFor();
  assert.equal(await bars.count(), 30);
  const tones = await bars.evaluateAll((rects) => rects.map((r) => r.getAttribute('class')));
  assert.equal(tones[29], 'day day-down', 'today had an outage');
  assert.ok(tones.slice(0, 29).every((t) => t === 'day day-none'), 'not monitored before today');
  assert.match(await serviceRow(page, 'flaky').locator('svg.uptime-bars').getAttribute('aria-label'), /1 day with an outage/);
  assert.equal(
    await serviceRow(page, 'db-backup').locator('svg.uptime-bars rect').last().getAttribute('class'),
    'day day-full',
  );

  await page.goto(`${server.url}/ui/#/services/flaky`);
  const wide = page.locator('.uptime-days svg.uptime-bars.wide rect');
  await wide.first().waitFor();
  assert.equal(await wide.count(), 30);
  assert.match(await wide.last().locator('title').textContent(), /^\d{4}-\d\d-\d\d: \d+\.\d\d% up$/);
  await context.close();
  assert.deepEqual(problems, []);
});

test('the Channels page lists channels, routes and ping keys by name, never a secret, and tests one', async () => {
  const { page, context, problems } = await openPage(browser, server);
  await page.goto(`${server.url}/ui/#/services`);
  await page.getByRole('link', { name: 'Channels' }).click();
  await page.waitForURL(/#\/channels$/);
  const webhook = page.locator('tr[data-channel="webhook"]');
  await webhook.waitFor();
  assert.deepEqual(await webhook.locator('.alert-target').allTextContents(), ['dev', 'ops']);
  assert.deepEqual(await page.locator('tr[data-route="oncall"] li').allTextContents(), ['webhook dev', 'webhook ops']);
  assert.match(await page.locator('tr[data-ping-key="cron"]').textContent(), /services starting with cron-/);
  const text = await page.locator('main').textContent();
  for (const secret of [HOOK_TOKEN, PING_KEY, String(receiver.address().port)]) {
    assert.ok(!text.includes(secret), `${secret} is on the page`);
  }
  await page.getByRole('button', { name: 'Send a test alert to webhook dev' }).click();
  await page.locator('.test-result').filter({ hasText: 'Test alert delivered to webhook dev.' }).waitFor();
  assert.ok(received.some((r) => r.body?.kind === 'test'), 'the receiver got the test');
  // The password signs in as admin: the badge URLs are there, and a service's badge loads.
  assert.match(await page.locator('.badge-urls .badge-url').first().textContent(), /\/badge\/[0-9a-f]{32}\/\{service\}\.svg$/);
  await page.goto(`${server.url}/ui/#/services/db-backup`);
  const image = page.locator('img.badge-preview');
  await image.waitFor();
  await waitFor(() => image.evaluate((img) => img.complete && img.naturalWidth > 0), { what: 'the badge to load' });
  await context.close();
  assert.deepEqual(problems, []);
});

test('on a phone: declare a service, then its page and the Channels page fit the screen', async () => {
  const { page, context, problems } = await openPage(browser, server, { viewport: PHONE });
  await page.goto(`${server.url}/ui/#/new`);
  await page.getByLabel('Name').fill('phone-made');
  await page.getByLabel('Interval').fill('30m');
  assert.ok((await overflow(page)) <= 0, 'the form fits');
  await screenshot(page, 'declare-phone');
  await page.getByRole('button', { name: 'Declare service' }).click();
  await page.waitForURL(/#\/services\/phone-made$/);
  await page.getByRole('button', { name: 'Snooze', exact: true }).waitFor();
  await page.locator('.uptime-days svg').waitFor();
  assert.equal((await apiService('phone-made')).nextIn, 1800);
  assert.ok((await overflow(page)) <= 0, 'the service page fits');
  await screenshot(page, 'service-phone');
  await page.goto(`${server.url}/ui/#/channels`);
  await page.locator('tr[data-channel="webhook"]').waitFor();
  assert.ok((await overflow(page)) <= 0, 'the Channels page fits');
  await screenshot(page, 'channels-phone');
  await context.close();
  assert.deepEqual(problems, []);
});

test('a read key sees the Channels page and the marks, but no form, picker or test button', async () => {
  const key = await server.api.call('POST', '/keys', { name: 'wall', scope: 'read' });
  const { page, context, problems } = await openPage(browser, server, { signedIn: false });
  await page.goto(`${server.url}/ui/`);
  await page.getByLabel('Password or API key').fill(key.secret);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await serviceRow(page, 'db-backup').waitFor();
  assert.equal(await page.getByRole('link', { name: 'New service' }).count(), 0);
  await page.goto(`${server.url}/ui/#/services/db-backup`);
  await page.locator('.runs-box, .pings-box').first().waitFor();
  assert.equal(await page.getByLabel('Snooze alerts for').count(), 0);
  assert.equal(await page.getByRole('link', { name: 'Edit…' }).count(), 0);
  await page.goto(`${server.url}/ui/#/channels`);
  await page.locator('tr[data-channel="webhook"]').waitFor();
  assert.equal(await page.locator('[data-test]').count(), 0);
  assert.equal(await page.locator('.badge-urls').isHidden(), true);
  await page.goto(`${server.url}/ui/#/new`);
  await page.getByRole('heading', { name: 'Declaring is for write keys' }).waitFor();
  await context.close();
  assert.deepEqual(problems, []);
});
