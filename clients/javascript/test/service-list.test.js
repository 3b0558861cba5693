// Listing services against a real server: `services(filters)` by prefix and status,
// `listServices()` a page at a time, the server's 400s and the local TypeErrors.
// Every wait polls the server, bounded; no test depends on how fast anything runs.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { InvalidRequestError, WatchtowerClient, WatchtowerError } from '../watchtower.js';
import { countingClient, startServer, waitFor } from './helpers.js';

let server;
let wt;

before(async () => {
  server = await startServer();
  wt = new WatchtowerClient({ url: server.url, password: server.password });
});
after(() => server?.stop());

const ops = { alertType: 'webhook', alertTarget: 'ops' };

const names = (services) => services.map((s) => s.service);

/** Code point order, as the server sorts names. */
const sorted = (list) => [...list].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/** Every page of `filters`, following the cursors: resolves to the pages. */
async function allPages(client, filters) {
  const pages = [];
  let cursor = null;
  do {
    const page = await client.listServices({ ...filters, cursor });
    pages.push(page);
    cursor = page.nextCursor;
    assert.ok(pages.length <= 100, 'the cursors never end');
  } while (cursor);
  return pages;
}

describe('services() with filters', () => {
  // One service in each status, all named `flt-…`, and one outside the prefix.
  before(async () => {
    await wt.pulse({ service: 'flt-up', nextIn: 600, ...ops });
    await wt.pulse({ service: 'flt-dead', nextIn: 0.1, ...ops });
    await wt.pulse({ service: 'flt-late', nextIn: 0.1, grace: 600, ...ops });
    await wt.pulse({ service: 'flt-paused', nextIn: 600, ...ops });
    await wt.pause('flt-paused');
    await wt.declare({ service: 'flt-new', nextIn: 600, ...ops });
    await wt.pulse({ service: 'other-dead', nextIn: 0.1, ...ops });
    await waitFor(async () => {
      const statuses = Object.fromEntries((await wt.services()).map((s) => [s.service, s.status]));
      return statuses['flt-dead'] === 'dead' && statuses['flt-late'] === 'late' && statuses['other-dead'] === 'dead';
    }, { what: 'flt-dead and other-dead to die and flt-late to be late' });
  });

  test('prefix lists only the services whose names start with it, sorted by name', async () => {
    const listed = await wt.services({ prefix: 'flt-' });
    assert.deepEqual(names(listed), ['flt-dead', 'flt-late', 'flt-new', 'flt-paused', 'flt-up']);
    assert.deepEqual(
      listed.map((s) => s.status),
      ['dead', 'late', 'new', 'paused', 'up'],
    );
    assert.deepEqual(names(await wt.services({ prefix: 'flt-p' })), ['flt-paused']);
    assert.deepEqual(await wt.services({ prefix: 'no-such-prefix-' }), []);
  });

  test('status takes one status, each of the five', async () => {
    for (const status of ['up', 'late', 'dead', 'paused', 'new']) {
      const listed = await wt.services({ prefix: 'flt-', status });
      assert.deepEqual(names(listed), [`flt-${status}`], status);
      assert.equal(listed[0].status, status);
    }
  });

  test('status takes an array or a comma-separated string, and combines with prefix', async () => {
    assert.deepEqual(names(await wt.services({ prefix: 'flt-', status: ['dead', 'late'] })), ['flt-dead', 'flt-late']);
    assert.deepEqual(names(await wt.services({ prefix: 'flt-', status: 'late,dead' })), ['flt-dead', 'flt-late']);
    assert.deepEqual(names(await wt.services({ prefix: 'flt-', status: ['new', 'paused', 'new'] })), ['flt-new', 'flt-paused']);
    // Without a prefix, every service in the status, `other-dead` included.
    const dead = names(await wt.services({ status: 'dead' }));
    assert.ok(dead.includes('flt-dead') && dead.includes('other-dead'), String(dead));
    assert.ok(!dead.includes('flt-late') && !dead.includes('flt-up'), String(dead));
    assert.deepEqual(dead, sorted(dead));
  });

  test('filters left undefined or null are not sent', async () => {
    const calls = [];
    const client = new WatchtowerClient({
      url: server.url,
      password: server.password,
      fetch: (url, init) => {
        calls.push(url);
        return fetch(url, init);
      },
    });
    assert.deepEqual(await client.services({ prefix: undefined, status: null }), await wt.services());
    await client.services({ prefix: 'flt-', status: ['dead', 'late'] });
    await client.listServices({ prefix: 'flt-', status: 'up', limit: 2, cursor: undefined });
    assert.deepEqual(calls, [
      `${server.url}/`,
      `${server.url}/?prefix=flt-&status=dead%2Clate`,
      `${server.url}/?prefix=flt-&status=up&limit=2`,
    ]);
  });

  test('services() and its call options work as before: no argument, options second, or options alone', async () => {
    const every = await wt.services();
    assert.deepEqual(names(every), sorted(names(every)));
    assert.ok(names(every).includes('other-dead'));
    assert.deepEqual(await wt.services(undefined, { timeoutMs: 5000 }), every);
    assert.deepEqual(await wt.services(null, { signal: new AbortController().signal }), every);
    assert.deepEqual(await wt.services({}), every);
    // The one-argument form of earlier versions: call options only.
    assert.deepEqual(await wt.services({ timeoutMs: 5000 }), every);
    assert.deepEqual(await wt.services({ signal: new AbortController().signal, timeoutMs: 5000 }), every);
    assert.deepEqual(await wt.services({ signal: undefined }), every);
    assert.deepEqual(await wt.services({ status: 'paused' }, { timeoutMs: 5000 }), [every.find((s) => s.service === 'flt-paused')]);
  });

  test('a key with a prefix sees only its own services, whatever the filters', async () => {
    const key = await wt.createKey({ name: 'flt-reader', scope: 'read', prefix: 'flt-d' });
    const reader = new WatchtowerClient({ url: server.url, password: key.secret });
    assert.deepEqual(names(await reader.services()), ['flt-dead']);
    assert.deepEqual(names(await reader.services({ status: 'dead' })), ['flt-dead']);
    assert.deepEqual(names(await reader.services({ prefix: 'flt-' })), ['flt-dead']);
    assert.deepEqual(await reader.services({ prefix: 'other-' }), []);
    assert.deepEqual(await reader.services({ prefix: 'flt-', status: 'up' }), []);
    const page = await reader.listServices({ prefix: 'flt-', limit: 1 });
    assert.deepEqual({ names: names(page.services), nextCursor: page.nextCursor }, { names: ['flt-dead'], nextCursor: null });
  });
});

describe('listServices() pages', () => {
  // Names that need encoding in a query: the cursor carries them.
  const pageNames = sorted([
    'pg-01', 'pg-02', 'pg-03 with spaces', 'pg-04&limit=1', 'pg-05/a?b#c', 'pg-06+plus%2C', 'pg-07-é', 'pg-08',
  ]);

  before(async () => {
    for (const name of pageNames) await wt.pulse({ service: name, nextIn: 600, ...ops });
    await wt.pause('pg-02');
    await wt.pause('pg-05/a?b#c');
    await wt.pause('pg-08');
  });

  test('following the cursors visits each service once, in order, a page of `limit` at a time', async () => {
    for (const limit of [1, 3, 5, 8, 100]) {
      const pages = await allPages(wt, { prefix: 'pg-', limit });
      assert.equal(pages.length, Math.ceil(pageNames.length / limit), `limit ${limit}`);
      for (const [i, page] of pages.entries()) {
        const last = i === pages.length - 1;
        assert.equal(page.services.length, last ? pageNames.length - limit * i : limit, `limit ${limit}, page ${i}`);
        if (last) assert.equal(page.nextCursor, null);
        else assert.equal(page.nextCursor, page.services.at(-1).service, 'the cursor is the last name of the page');
      }
      assert.deepEqual(names(pages.flatMap((p) => p.services)), pageNames, `limit ${limit}`);
    }
  });

  test('pages combine with status, the same filters sent with each cursor', async () => {
    const paused = ['pg-02', 'pg-05/a?b#c', 'pg-08'];
    const pages = await allPages(wt, { prefix: 'pg-', status: ['paused'], limit: 2 });
    assert.deepEqual(pages.map((p) => names(p.services)), [paused.slice(0, 2), paused.slice(2)]);
    for (const service of pages.flatMap((p) => p.services)) assert.equal(service.status, 'paused');
    const up = await allPages(wt, { prefix: 'pg-', status: 'up', limit: 2 });
    assert.deepEqual(names(up.flatMap((p) => p.services)), pageNames.filter((n) => !paused.includes(n)));
    assert.equal(up.length, 3);
  });

  test('a page may start at any cursor, and without limit holds every match', async () => {
    const rest = await wt.listServices({ prefix: 'pg-', cursor: 'pg-04&limit=1' });
    assert.deepEqual(names(rest.services), pageNames.slice(pageNames.indexOf('pg-04&limit=1') + 1));
    assert.equal(rest.nextCursor, null);
    const whole = await wt.listServices({ prefix: 'pg-' });
    assert.deepEqual(whole.services, await wt.services({ prefix: 'pg-' }));
    assert.equal(whole.nextCursor, null);
    const none = await wt.listServices({ prefix: 'pg-', status: 'dead', limit: 3 });
    assert.deepEqual(none, { services: [], nextCursor: null });
    const first = await wt.listServices(undefined, { timeoutMs: 5000 });
    assert.ok(first.services.length > pageNames.length);
  });
});

describe('refusals', () => {
  test('a bad status is an InvalidRequestError (400) naming status, with the server message', async () => {
    for (const call of [
      () => wt.services({ status: 'bogus' }),
      () => wt.services({ status: ['dead', 'bogus'] }),
      () => wt.listServices({ prefix: 'flt-', status: 'bogus', limit: 2 }),
    ]) {
      const error = await call().catch((e) => e);
      assert.ok(error instanceof InvalidRequestError, String(error));
      assert.ok(error instanceof WatchtowerError);
      assert.equal(error.status, 400);
      assert.equal(error.field, 'status');
      assert.match(error.message, /^status: `bogus` is not a status/);
      assert.equal(error.body.error, error.message);
    }
  });

  test("the server's other 400s name what it refused", async () => {
    const cases = [
      [() => wt.services({ prefix: 'x'.repeat(256) }), 'prefix'],
      [() => wt.services({ status: 'dead,' }), 'status'],
      [() => wt.services({ statuses: 'dead' }), 'query'],
      [() => wt.listServices({ limit: 0 }), 'limit'],
      [() => wt.listServices({ limit: 10001 }), 'limit'],
      [() => wt.listServices({ limit: 'many' }), 'limit'],
    ];
    for (const [call, field] of cases) {
      const error = await call().catch((e) => e);
      assert.ok(error instanceof InvalidRequestError, `${field}: ${error}`);
      assert.equal(error.status, 400);
      assert.equal(error.field, field, error.message);
    }
  });

  test('arguments the client can tell are wrong are TypeErrors, and nothing is sent', async () => {
    const { client, requests } = countingClient(server);
    const cases = [
      [() => client.services({ limit: 10 }), /^limit: services\(\) answers every match; .*listServices/],
      [() => client.services({ cursor: 'pg-01' }), /^cursor: .*listServices/],
      [() => client.services({ prefix: '' }), /^prefix: must be a non-empty string/],
      [() => client.services({ prefix: 7 }), /^prefix: must be a non-empty string/],
      [() => client.services({ status: [] }), /^status: must be a status or a non-empty array/],
      [() => client.services({ status: '' }), /^status: /],
      [() => client.services({ status: ['dead', ''] }), /^status: /],
      [() => client.services({ status: 5 }), /^status: /],
      [() => client.services({ prefix: 'flt-', timeoutMs: 100 }), /^filters: `timeoutMs` is a call option, taken by the next argument/],
      [() => client.services({ timeoutMs: 100 }, { timeoutMs: 100 }), /^filters: `timeoutMs` is a call option/],
      [() => client.services('flt-'), /^filters: must be an object/],
      [() => client.listServices({ signal: undefined }), /^filters: `signal` is a call option/],
      [() => client.listServices({ limit: 2, cursor: '' }), /^cursor: /],
      [() => client.listServices(['flt-']), /^filters: must be an object/],
    ];
    for (const [call, message] of cases) {
      await assert.rejects(call, (error) => error instanceof TypeError && message.test(error.message), String(message));
    }
    assert.equal(requests(), 0);
  });
});
