// Event attributes against a real server: stored, read back with their types,
// filtered by `attr.NAME=VALUE`, and refused by the server when malformed.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { InvalidRequestError, WatchtowerClient } from '../watchtower.js';
import { startServer } from './helpers.js';

let server;
let wt;
/** The URLs `wt` requested, in order. */
const sent = [];

before(async () => {
  server = await startServer();
  wt = new WatchtowerClient({
    url: server.url,
    password: server.password,
    fetch: (url, init) => {
      sent.push(url);
      return fetch(url, init);
    },
  });
});
after(() => server?.stop());

/** The query string of the last request, decoded. */
const lastQuery = () => decodeURIComponent(new URL(sent[sent.length - 1]).search);

describe('adding events with attributes', () => {
  test('addEvent answers the event with its attributes, names sorted and types kept', async () => {
    const event = await wt.addEvent({
      service: 'attr-add',
      level: 'error',
      message: 'upstream failed',
      attributes: { status: 503, host: 'web-1', retry: true, ratio: 0.25, note: '' },
    });
    assert.deepEqual(event.attributes, { host: 'web-1', note: '', ratio: 0.25, retry: true, status: 503 });
    assert.deepEqual(Object.keys(event.attributes), ['host', 'note', 'ratio', 'retry', 'status']);
    assert.equal(typeof event.attributes.status, 'number');
    assert.equal(typeof event.attributes.retry, 'boolean');
  });

  test('listEvents and events() read them back with their types', async () => {
    const stored = await wt.addEvent({
      service: 'attr-read',
      level: 'info',
      message: 'request done',
      attributes: { host: 'web-2', status: 200, cached: false, latency: 12.5, requestId: '0042' },
    });
    const { events } = await wt.listEvents({ service: 'attr-read' });
    assert.deepEqual(events, [stored]);
    assert.deepEqual(events[0].attributes, { cached: false, host: 'web-2', latency: 12.5, requestId: '0042', status: 200 });
    const seen = [];
    for await (const event of wt.events({ service: 'attr-read' })) seen.push(event);
    assert.deepEqual(seen, [stored]);
  });

  test('an event without attributes has an empty object, in the answer and when listed', async () => {
    const plain = await wt.addEvent({ service: 'attr-none', level: 'info', message: 'no attributes' });
    assert.deepEqual(plain.attributes, {});
    const withNull = await wt.addEvent({ service: 'attr-none', level: 'info', message: 'null', attributes: null });
    assert.deepEqual(withNull.attributes, {});
    const empty = await wt.addEvent({ service: 'attr-none', level: 'info', message: 'empty', attributes: {} });
    assert.deepEqual(empty.attributes, {});
    const { events } = await wt.listEvents({ service: 'attr-none', order: 'asc' });
    assert.deepEqual(events.map((e) => e.attributes), [{}, {}, {}]);
  });

  test('a nested object, an array or null as a value is an InvalidRequestError naming attributes', async () => {
    for (const value of [{ nested: 1 }, [1, 2], null]) {
      const error = await wt
        .addEvent({ service: 'attr-bad', level: 'info', message: 'bad', attributes: { host: 'web-1', bad: value } })
        .catch((e) => e);
      assert.ok(error instanceof InvalidRequestError, JSON.stringify(value));
      assert.equal(error.status, 400);
      assert.equal(error.field, 'attributes');
      assert.match(error.message, /`bad` must be a string, a number or a boolean/);
    }
    assert.deepEqual((await wt.listEvents({ service: 'attr-bad' })).events, []);
  });

  test('attributes that are not an object, or too many names, are the server\'s 400 naming attributes', async () => {
    const many = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, i]));
    for (const attributes of ['host=web-1', [['host', 'web-1']], many, { '': 1 }, { ['x'.repeat(129)]: 1 }]) {
      const error = await wt.addEvent({ service: 'attr-bad', level: 'info', message: 'bad', attributes }).catch((e) => e);
      assert.ok(error instanceof InvalidRequestError);
      assert.equal(error.status, 400);
      assert.equal(error.field, 'attributes');
    }
  });

  test('more than 4096 bytes of attributes is a 422 naming attributes', async () => {
    const error = await wt
      .addEvent({ service: 'attr-bad', level: 'info', message: 'big', attributes: { blob: 'x'.repeat(5000) } })
      .catch((e) => e);
    assert.ok(error instanceof InvalidRequestError);
    assert.equal(error.status, 422);
    assert.equal(error.field, 'attributes');
  });
});

describe('filtering by attributes', () => {
  const service = 'attr-filter';
  const added = [];

  before(async () => {
    const specs = [
      ['error', { host: 'web-1', status: 503, retry: true }],
      ['error', { host: 'web-2', status: 503, retry: false }],
      ['info', { host: 'web-1', status: 200 }],
      ['warning', { host: 'web-1', status: '503' }],
      ['info', undefined],
    ];
    for (const [i, [level, attributes]] of specs.entries()) {
      added.push(await wt.addEvent({ service, level, message: `event ${i}`, attributes }));
    }
  });

  const messages = (events) => events.map((e) => e.message);

  test('one attribute: only events having it with that value', async () => {
    const { events } = await wt.listEvents({ service, order: 'asc', attributes: { host: 'web-1' } });
    assert.deepEqual(messages(events), ['event 0', 'event 2', 'event 3']);
    assert.equal(lastQuery(), `?service=${service}&order=asc&attr.host=web-1`);
  });

  test('two attributes: every one must match', async () => {
    const { events } = await wt.listEvents({ service, order: 'asc', attributes: { host: 'web-1', status: 503 } });
    assert.deepEqual(messages(events), ['event 0', 'event 3']);
    assert.match(lastQuery(), /&attr\.host=web-1&attr\.status=503$/);
    const none = await wt.listEvents({ service, attributes: { host: 'web-2', status: 200 } });
    assert.deepEqual(none.events, []);
  });

  test('values compare as text: the number 503 matches the string "503", booleans as true/false', async () => {
    const byNumber = await wt.listEvents({ service, order: 'asc', attributes: { status: 503 } });
    const byString = await wt.listEvents({ service, order: 'asc', attributes: { status: '503' } });
    assert.deepEqual(messages(byNumber.events), ['event 0', 'event 1', 'event 3']);
    assert.deepEqual(byString.events, byNumber.events);
    const retried = await wt.listEvents({ service, attributes: { retry: true } });
    assert.deepEqual(messages(retried.events), ['event 0']);
    assert.match(lastQuery(), /attr\.retry=true$/);
    const notRetried = await wt.listEvents({ service, attributes: { retry: false } });
    assert.deepEqual(messages(notRetried.events), ['event 1']);
  });

  test('attribute filters combine with the other filters', async () => {
    const { events } = await wt.listEvents({ service, level: 'warning', order: 'asc', attributes: { host: 'web-1' } });
    assert.deepEqual(messages(events), ['event 0', 'event 3']);
    const other = await wt.listEvents({ service: 'attr-read', attributes: { host: 'web-1' } });
    assert.deepEqual(other.events, []);
  });

  test('pages and the events() iterator keep the attribute filters', async () => {
    const pages = [];
    let cursor;
    do {
      const page = await wt.listEvents({ service, limit: 1, cursor, attributes: { status: 503 } });
      pages.push(...messages(page.events));
      cursor = page.nextCursor;
      assert.ok(pages.length <= 3, 'more pages than expected');
    } while (cursor);
    assert.deepEqual(pages, ['event 3', 'event 1', 'event 0']);
    assert.match(lastQuery(), /attr\.status=503/);
    const seen = [];
    for await (const event of wt.events({ service, order: 'asc', limit: 1, attributes: { host: 'web-1', status: 503 } })) {
      seen.push(event);
    }
    assert.deepEqual(seen, [added[0], added[3]]);
  });

  test('names given undefined or null are left out', async () => {
    const { events } = await wt.listEvents({ service, order: 'asc', attributes: { host: 'web-2', status: undefined, retry: null } });
    assert.deepEqual(messages(events), ['event 1']);
    assert.match(lastQuery(), /&attr\.host=web-2$/);
  });

  test('names and values needing encoding are sent as one parameter each', async () => {
    const attributes = { 'path & query': '/a?b=c&d#e', 'ü.ñ': 'x+y z' };
    const stored = await wt.addEvent({ service: 'attr-encoded', level: 'info', message: 'encoded', attributes });
    assert.deepEqual(stored.attributes, attributes);
    const { events } = await wt.listEvents({ service: 'attr-encoded', attributes });
    assert.deepEqual(events, [stored]);
  });

  test('a number finds the event it was stored on, in the form the server writes it', async () => {
    const numbers = { int: -7, float: -0.5, small: 0.000001, tiny: 1.5e-9, large: 1e17, beyond: 2 ** 64, huge: 1e21 };
    const stored = await wt.addEvent({ service: 'attr-numbers', level: 'info', message: 'numbers', attributes: numbers });
    assert.deepEqual(stored.attributes, numbers);
    for (const [name, value] of Object.entries(numbers)) {
      const { events } = await wt.listEvents({ service: 'attr-numbers', attributes: { [name]: value } });
      assert.deepEqual(events, [stored], `${name}: ${value} sent as ${lastQuery()}`);
    }
  });

  test('a filter value that is not a string, a finite number or a boolean is a TypeError, sending nothing', async () => {
    const before = sent.length;
    for (const [attributes, pattern] of [
      [{ host: { name: 'web-1' } }, /^attributes: `host` must be a string, a number or a boolean/],
      [{ hosts: ['web-1', 'web-2'] }, /^attributes: `hosts` must be/],
      [{ ratio: Number.NaN }, /^attributes: `ratio` must be a finite number/],
      [{ ratio: Infinity }, /^attributes: `ratio` must be a finite number/],
      ['host=web-1', /^attributes: must be an object/],
      [[['host', 'web-1']], /^attributes: must be an object/],
    ]) {
      await assert.rejects(wt.listEvents({ service, attributes }), (error) => error instanceof TypeError && pattern.test(error.message));
      await assert.rejects(wt.events({ service, attributes }).next(), TypeError);
    }
    assert.equal(sent.length, before);
  });

  test('the server refuses an empty attribute name, naming query', async () => {
    const error = await wt.listEvents({ service, attributes: { '': 'x' } }).catch((e) => e);
    assert.ok(error instanceof InvalidRequestError);
    assert.equal(error.field, 'query');
  });
});
