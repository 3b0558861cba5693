// The events view: filters mirrored in the URL, pages that follow the API's
// cursors, the stacked chart per level, the live tail and the exports.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';

import { launchBrowser, openPage, screenshot, startServer, waitFor } from './helpers.js';

const LEVELS = ['debug', 'info', 'warning', 'error', 'critical'];
const PAGED = 250;

let server;
let browser;
let pagedIds;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const paged = await server.api.addEvents(Array.from({ length: PAGED }, (_, i) => ({
    service: 'pager', level: LEVELS[i % 5], message: `page event ${String(i).padStart(3, '0')}`,
  })));
  pagedIds = paged.map((e) => e.id);
  await server.api.addEvents([
    { service: 'billing', level: 'error', message: 'invoice run failed: timeout\n  at step 3' },
    { service: 'billing', level: 'info', message: 'invoice run started' },
    { service: 'exporter', level: 'warning', message: 'a "quoted", comma-holding message' },
    ...Array.from({ length: 29 }, (_, i) => ({ service: 'exporter', level: 'info', message: `export line ${i}` })),
  ]);
  await server.api.addEvents([
    { service: 'checkout', level: 'error', message: 'payment declined', attributes: { region: 'eu', status: 502 } },
    { service: 'checkout', level: 'error', message: 'payment timed out', attributes: { region: 'us', status: 502 } },
    { service: 'checkout', level: 'info', message: 'payment ok', attributes: { region: 'eu', status: 200, retried: false } },
  ]);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const rows = (page) => page.locator('table.events-table tbody tr');

/** Opens the events view at `query` and waits for its first page. */
async function openEvents(query = '', options) {
  const opened = await openPage(browser, server, options);
  await opened.page.goto(`${server.url}/ui/#/events${query}`);
  await opened.page.locator('.list-status').filter({ hasText: /shown|No events/ }).waitFor();
  return opened;
}

test('filters are mirrored in the URL: a reload, a shared link and Back keep them', async () => {
  const { page, context, problems } = await openEvents();
  await page.getByLabel('Service', { exact: true }).fill('pager');
  await page.getByLabel('Level (at least)').selectOption('error');
  await page.getByLabel('Message contains').fill('event 1');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.waitForURL(/#\/events\?service=pager&level=error&message=event\+1$/);
  await page.locator('.list-status').filter({ hasText: 'All' }).waitFor();

  const expected = await server.api.listEvents({ service: 'pager', level: 'error', message: 'event 1', limit: 1000 });
  assert.ok(expected.length > 0 && expected.length < 100, `${expected.length} matches`);
  assert.equal(await rows(page).count(), expected.length);
  assert.deepEqual(await rows(page).evaluateAll((trs) => trs.map((tr) => Number(tr.dataset.id))), expected.map((e) => e.id));
  for (const level of await rows(page).locator('.level').allTextContents()) assert.ok(['error', 'critical'].includes(level), level);

  await page.reload();
  await page.locator('.list-status').filter({ hasText: 'All' }).waitFor();
  assert.equal(await page.getByLabel('Service', { exact: true }).inputValue(), 'pager');
  assert.equal(await page.getByLabel('Level (at least)').inputValue(), 'error');
  assert.equal(await page.getByLabel('Message contains').inputValue(), 'event 1');
  assert.equal(await rows(page).count(), expected.length);

  // A date range: an end long ago matches nothing.
  await page.getByLabel('To', { exact: true }).fill('2020-01-01T00:00');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.waitForURL(/&to=20(19-12-3[01]|20-01-0[12])T\d\d%3A\d\d%3A00\.000Z&message=event\+1$/);
  await page.locator('.list-status', { hasText: 'No events match these filters.' }).waitFor();

  // Back: the previous filters, and their events.
  await page.goBack();
  await page.waitForURL(/message=event\+1$/);
  await page.locator('.list-status').filter({ hasText: 'All' }).waitFor();
  assert.equal(await page.getByLabel('To', { exact: true }).inputValue(), '');
  assert.equal(await rows(page).count(), expected.length);

  // The same link in another tab shows the same view.
  const shared = await openEvents('?service=billing&level=error');
  assert.equal(await shared.page.getByLabel('Service', { exact: true }).inputValue(), 'billing');
  assert.deepEqual(await rows(shared.page).locator('.message-text').allTextContents(), ['invoice run failed: timeout\n  at step 3']);
  await shared.context.close();
  await context.close();
  assert.deepEqual([...problems, ...shared.problems], []);
});

test('pages follow the cursors: Load more and scrolling show every event once, newest first', async () => {
  const { page, context, problems } = await openEvents('?service=pager');
  assert.equal(await rows(page).count(), 100);
  assert.equal(await page.locator('.list-status').textContent(), '100 events shown; more below.');

  // The keyboard: the button loads the second page. Focusing it scrolls the
  // sentinel below it into view, which may load the second and third pages
  // on its own first; either way no page may be shown twice (checked below).
  await page.getByRole('button', { name: 'Load more' }).focus();
  await page.keyboard.press('Enter');
  await waitFor(async () => (await rows(page).count()) >= 200, { what: 'the second page' });

  // Scrolling to the end loads the third, the last.
  await page.locator('.sentinel').scrollIntoViewIfNeeded();
  await page.locator('.list-status', { hasText: `All ${PAGED} matching events shown.` }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Load more' }).isVisible(), false);
  const ids = await rows(page).evaluateAll((trs) => trs.map((tr) => Number(tr.dataset.id)));
  assert.deepEqual(ids, [...pagedIds].reverse());
  await context.close();
  assert.deepEqual(problems, []);
});

test('the chart stacks the events of each level per bucket', async () => {
  const { page, context, problems } = await openEvents('?service=pager');
  const chart = page.locator('svg.chart');
  await chart.waitFor();
  for (const level of LEVELS) {
    assert.ok(await chart.locator(`rect.bar-${level}`).count() >= 1, `a ${level} bar`);
  }
  // Every one of the 250 events is in one bucket of the default day by the hour.
  const heights = await chart.locator('rect.bar').evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('height'))));
  assert.ok(heights.every((h) => h > 0));
  assert.match(await chart.getAttribute('aria-label'), new RegExp(`^${PAGED} events per hour from .*: 50 debug, 50 info, 50 warning, 50 error, 50 critical\\.$`));
  assert.equal(await chart.getAttribute('data-bucket'), 'hour');
  await context.close();
  assert.deepEqual(problems, []);
});

test('the live tail shows new matching events at the top as they are stored', async () => {
  const { page, context, problems } = await openEvents('?service=billing&level=error');
  assert.equal(await rows(page).count(), 1);
  await page.getByRole('button', { name: 'Live tail' }).click();
  await page.locator('.live-state[data-state="live"]').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Live tail: on' }).getAttribute('aria-pressed'), 'true');
  assert.match(page.url(), /&tail=1$/);

  await server.api.addEvents([
    { service: 'billing', level: 'info', message: 'below the level: not shown' },
    { service: 'billing', level: 'critical', message: 'ledger out of balance' },
  ]);
  await rows(page).first().locator('.message-text', { hasText: 'ledger out of balance' }).waitFor();
  assert.equal(await rows(page).count(), 2);
  assert.equal(await page.getByText('below the level').count(), 0);
  await screenshot(page, 'events-live-tail');

  await page.getByRole('button', { name: 'Live tail: on' }).click();
  await page.locator('.live-state').waitFor({ state: 'hidden' });
  assert.doesNotMatch(page.url(), /tail=1/);
  await context.close();
  assert.deepEqual(problems, []);
});

test('exports download every matching event as CSV and as NDJSON', async () => {
  const { page, context, problems } = await openEvents('?service=exporter');
  const [csv] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export CSV' }).click(),
  ]);
  assert.equal(csv.suggestedFilename(), 'watchtower-events.csv');
  const text = await readFile(await csv.path(), 'utf8');
  const lines = text.split('\r\n').filter(Boolean);
  assert.equal(lines[0], 'id,date,service,level,message,attributes');
  assert.equal(lines.length, 31);
  assert.ok(lines.some((line) => line.endsWith(',exporter,warning,"a ""quoted"", comma-holding message",')), lines.join('\n'));
  await page.locator('.export-status', { hasText: 'Saved watchtower-events.csv' }).waitFor();

  const [ndjson] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export NDJSON' }).click(),
  ]);
  assert.equal(ndjson.suggestedFilename(), 'watchtower-events.ndjson');
  const events = (await readFile(await ndjson.path(), 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
  assert.equal(events.length, 30);
  assert.ok(events.every((e) => e.service === 'exporter'));
  await context.close();
  assert.deepEqual(problems, []);
});

test('attributes show as chips: a click filters by one, the filter chip removes it, the tail keeps it', async () => {
  const { page, context, problems } = await openEvents('?service=checkout');
  const messages = () => rows(page).locator('.message-text').allTextContents();
  assert.deepEqual(await messages(), ['payment ok', 'payment timed out', 'payment declined']);
  assert.deepEqual(await rows(page).first().locator('a.attr').allTextContents(), ['region=eu', 'retried=false', 'status=200']);

  // A chip narrows the filters the view has.
  await rows(page).nth(1).getByRole('link', { name: 'status=502' }).click();
  await page.waitForURL(/#\/events\?service=checkout&attr\.status=502$/);
  await page.locator('.list-status').filter({ hasText: 'All 2' }).waitFor();
  assert.deepEqual(await messages(), ['payment timed out', 'payment declined']);
  await rows(page).nth(1).getByRole('link', { name: 'region=eu' }).click();
  await page.waitForURL(/&attr\.status=502&attr\.region=eu$/);
  await page.locator('.list-status').filter({ hasText: 'All 1 ' }).waitFor();
  assert.deepEqual(await messages(), ['payment declined']);
  // The chart is redrawn for the new filters a moment after the list.
  await page.locator('svg.chart[aria-label^="1 event"]').waitFor();

  // The filter chip above the table removes its filter; a reload keeps the rest.
  await page.getByRole('button', { name: 'Remove the filter status=502' }).click();
  await page.waitForURL(/#\/events\?service=checkout&attr\.region=eu$/);
  await page.reload();
  await page.locator('.list-status').filter({ hasText: 'All 2' }).waitFor();
  assert.deepEqual(await messages(), ['payment ok', 'payment declined']);
  assert.deepEqual(await page.locator('.attr-filters button').allTextContents(), ['region=eu ×']);

  // The live tail follows the same filters.
  await page.getByRole('button', { name: 'Live tail' }).click();
  await page.locator('.live-state[data-state="live"]').waitFor();
  await server.api.addEvents([
    { service: 'checkout', level: 'error', message: 'payment refused in us', attributes: { region: 'us' } },
    { service: 'checkout', level: 'error', message: 'payment refused in eu', attributes: { region: 'eu' } },
  ]);
  await rows(page).first().locator('.message-text', { hasText: 'payment refused in eu' }).waitFor();
  assert.equal(await page.getByText('payment refused in us').count(), 0);
  await screenshot(page, 'events-attributes');
  await page.getByRole('button', { name: 'Live tail: on' }).click();

  // Clear drops the attribute filters with the others.
  await page.getByRole('button', { name: 'Clear' }).click();
  await page.waitForURL(/#\/events$/);
  // The view follows the URL a moment later.
  await page.locator('.attr-filters').waitFor({ state: 'hidden' });
  await context.close();
  assert.deepEqual(problems, []);
});

test('screenshots of the events view, light, dark and on a phone', async () => {
  for (const [name, options] of [
    ['events-light', { colorScheme: 'light' }],
    ['events-dark', { colorScheme: 'dark' }],
    ['events-phone', { colorScheme: 'dark', viewport: { width: 390, height: 844 } }],
  ]) {
    const { page, context, problems } = await openEvents('', options);
    await page.locator('svg.chart').waitFor();
    if (name === 'events-phone') {
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the page is ${overflow}px wider than a phone's screen`);
    }
    // The window only: a hundred rows make a very long page.
    await screenshot(page, name, { fullPage: false });
    await context.close();
    assert.deepEqual(problems, []);
  }
});
