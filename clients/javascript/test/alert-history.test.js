// Alerts as they fared (`alerts()`, GET /alerts) against a real server whose
// webhooks point at two receivers started here: `fine` takes every alert,
// `broken` answers 503 to every alert, so the alert sent there stays pending,
// retried, with the channel's error.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { ForbiddenError, InvalidRequestError, WatchtowerClient } from '../watchtower.js';
import { startReceiver, startServer, waitFor } from './helpers.js';

const rfc3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
const prefix = 'hist-';
const delivered = `${prefix}a-fine`;
const refused = `${prefix}b-lost`;

let fine;
let broken;
let server;
let wt;
// The newest alert of each service, once the one was sent and the other tried and refused.
let sent;
let failing;

before(async () => {
  fine = await startReceiver();
  broken = await startReceiver({ status: 503 });
  server = await startServer({
    config: {
      webhooks: { fine: { url: fine.url }, broken: { url: broken.url } },
      // Quick retries, and no storm control (which could fold the two deaths into a digest).
      alerts: { timeout: 2, retryMin: 0.2, retryMax: 1, storm: { enabled: false } },
    },
  });
  wt = new WatchtowerClient({ url: server.url, password: server.password });
  // Both die 0.2 s after their pulse.
  await wt.pulse({ service: delivered, nextIn: 0.2, alertType: 'webhook', alertTarget: 'fine' });
  await wt.pulse({ service: refused, nextIn: 0.2, alertType: 'webhook', alertTarget: 'broken' });
  const newest = async (service) => (await wt.alerts({ service }))[0];
  failing = await waitFor(
    async () => {
      const alert = await newest(refused);
      return alert?.attempts >= 1 ? alert : null;
    },
    { timeoutMs: 15_000, what: `a failed attempt of ${refused}'s alert` },
  );
  sent = await waitFor(
    async () => {
      const alert = await newest(delivered);
      return alert?.state === 'sent' ? alert : null;
    },
    { timeoutMs: 15_000, what: `${delivered}'s alert to be sent` },
  );
});
after(async () => {
  await server?.stop();
  await fine?.close();
  await broken?.close();
});

/** The error `promise` rejects with; fails if it resolves. */
async function rejection(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected the call to be refused');
}

describe('alerts', () => {
  test('a refused alert is pending, with the channel\'s error and its next attempt', () => {
    assert.equal(failing.service, refused);
    assert.equal(failing.kind, 'down');
    assert.equal(failing.alertType, 'webhook');
    assert.equal(failing.alertTarget, 'broken');
    assert.equal(failing.state, 'pending');
    assert.ok(failing.attempts >= 1, `${failing.attempts} attempts`);
    assert.match(failing.lastError, /503/);
    assert.match(failing.nextAttempt, rfc3339);
    assert.match(failing.created, rfc3339);
    assert.equal(typeof failing.id, 'number');
    assert.ok(!('fannedFrom' in failing), 'not a route channel\'s delivery');
  });

  test('a delivered alert is sent, without an error or a next attempt', () => {
    assert.equal(sent.service, delivered);
    assert.equal(sent.kind, 'down');
    assert.equal(sent.alertTarget, 'fine');
    assert.equal(sent.attempts, 1);
    for (const absent of ['lastError', 'nextAttempt', 'fannedFrom']) {
      assert.ok(!(absent in sent), `no ${absent}: ${JSON.stringify(sent)}`);
    }
    assert.ok(fine.received.some((r) => r.body.includes(delivered)), 'the receiver got it');
  });

  test('state "failing" lists only the refused alert', async () => {
    const listed = await wt.alerts({ state: 'failing' });
    assert.deepEqual(listed.map((a) => a.service), [refused]);
    assert.equal(listed[0].id, failing.id);
    assert.deepEqual((await wt.alerts({ state: 'sent' })).map((a) => a.service), [delivered]);
    assert.deepEqual(await wt.alerts({ state: 'cancelled' }), []);
  });

  test('newest first, and limit keeps that many', async () => {
    const all = await wt.alerts();
    assert.deepEqual(new Set(all.map((a) => a.service)), new Set([delivered, refused]));
    const ids = all.map((a) => a.id);
    assert.deepEqual(ids, [...ids].sort((a, b) => b - a));
    const one = await wt.alerts({ limit: 1 });
    assert.equal(one.length, 1);
    assert.equal(one[0].id, ids[0]);
    const filtered = await wt.alerts({ service: refused, state: 'pending', limit: 10 });
    assert.deepEqual(filtered.map((a) => a.service), [refused]);
    // Filters left undefined or null are not sent.
    assert.equal((await wt.alerts({ service: undefined, state: null })).length, all.length);
  });

  for (const [filters, field] of [
    [{ state: 'lost' }, 'state'],
    [{ state: 'Pending' }, 'state'],
    [{ limit: 0 }, 'limit'],
    [{ limit: 1001 }, 'limit'],
  ]) {
    test(`${JSON.stringify(filters)} is an InvalidRequestError naming ${field}`, async () => {
      const error = await rejection(wt.alerts(filters));
      assert.ok(error instanceof InvalidRequestError, `${error}`);
      assert.equal(error.status, 400);
      assert.equal(error.field, field, error.message);
    });
  }

  test('a key with a prefix sees only its services\' alerts', async () => {
    const key = await wt.createKey({ name: 'history-reader', scope: 'read', prefix: `${prefix}a-` });
    const reader = new WatchtowerClient({ url: server.url, password: key.secret });
    assert.deepEqual((await reader.alerts()).map((a) => a.service), [delivered]);
    assert.deepEqual(await reader.alerts({ state: 'failing' }), []);
    const error = await rejection(reader.alerts({ service: refused }));
    assert.ok(error instanceof ForbiddenError, `${error}`);
    assert.equal(error.status, 403);
  });

  test('an ingest key may not list alerts', async () => {
    const key = await wt.createKey({ name: 'history-ingester', scope: 'ingest' });
    const ingester = new WatchtowerClient({ url: server.url, password: key.secret });
    const error = await rejection(ingester.alerts());
    assert.ok(error instanceof ForbiddenError, `${error}`);
    assert.equal(error.status, 403);
  });
});
