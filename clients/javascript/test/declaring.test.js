// Declared services against a real server: declare() before a first pulse
// (`new`), changing a declaration, a declared service that never pulses dying,
// and what the server and the client refuse.
// Every wait polls the server, bounded; no test depends on how fast anything runs.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { ForbiddenError, InvalidRequestError, WatchtowerClient, WatchtowerError } from '../watchtower.js';
import { countingClient, startServer, waitFor } from './helpers.js';

let server;
let wt;

before(async () => {
  server = await startServer();
  wt = new WatchtowerClient({ url: server.url, password: server.password });
});
after(() => server?.stop());

const ops = { alertType: 'webhook', alertTarget: 'ops' };
const rfc3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

/** The service named `name` as `services()` lists it, or undefined. */
const listed = async (name) => (await wt.services()).find((s) => s.service === name);

/** Waits (at most 10 s) until `services()` lists `name` with `status`; resolves to it. */
const untilStatus = (name, status) =>
  waitFor(async () => {
    const service = await listed(name);
    return service?.status === status ? service : null;
  }, { what: `${name} to be ${status}` });

/** The error `promise` rejects with; fails if it resolves. */
async function rejection(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected the call to be refused');
}

/** Milliseconds from a service's last pulse to its deadline. */
const window = (service) => Date.parse(service.deadline) - Date.parse(service.lastPulse);

describe('declare', () => {
  test('a service not monitored yet is declared new and never pulsed, and listed so', async () => {
    const declared = await wt.declare({ service: 'declared-new', nextIn: 3600, grace: '15m', ...ops });
    assert.equal(declared.service, 'declared-new');
    assert.equal(declared.status, 'new');
    assert.equal(declared.neverPulsed, true);
    assert.equal(declared.alertType, 'webhook');
    assert.equal(declared.alertTarget, 'ops');
    assert.equal(declared.nextIn, 3600);
    assert.equal(declared.grace, 900);
    // Dates are kept as the server sends them, as for every other answer.
    assert.match(declared.lastPulse, rfc3339);
    assert.match(declared.firstSeen, rfc3339);
    assert.equal(declared.firstSeen, declared.lastPulse, 'first seen when declared');
    assert.equal(window(declared), (3600 + 900) * 1000);
    assert.deepEqual(await listed('declared-new'), declared);
  });

  test('declaring it again unchanged answers it unchanged, the same deadline', async () => {
    const first = await wt.declare({ service: 'declared-twice', nextIn: 600, ...ops });
    const again = await wt.declare({ service: 'declared-twice', nextIn: 600, ...ops });
    assert.equal(again.deadline, first.deadline);
    assert.deepEqual(again, first);
    assert.deepEqual(await listed('declared-twice'), first);
  });

  test('a changed nextIn is taken, the deadline counted from the last pulse, the status kept', async () => {
    const first = await wt.declare({ service: 'declared-changed', nextIn: 600, ...ops });
    const changed = await wt.declare({ service: 'declared-changed', nextIn: 1200, ...ops });
    assert.equal(changed.nextIn, 1200);
    assert.equal(changed.status, 'new');
    assert.equal(changed.neverPulsed, true);
    assert.equal(changed.lastPulse, first.lastPulse);
    assert.equal(changed.firstSeen, first.firstSeen);
    assert.equal(window(changed), 1200 * 1000);
    assert.deepEqual(await listed('declared-changed'), changed);

    // An up service stays up, its deadline recounted from its pulse.
    const pulsed = await wt.pulse({ service: 'pulsed-then-declared', nextIn: 600, ...ops });
    const redeclared = await wt.declare({ service: 'pulsed-then-declared', nextIn: 1800, grace: 60, ...ops });
    assert.equal(redeclared.status, 'up');
    assert.equal(redeclared.nextIn, 1800);
    assert.equal(redeclared.grace, 60);
    assert.equal(redeclared.lastPulse, pulsed.lastPulse);
    assert.equal(window(redeclared), (1800 + 60) * 1000);
    assert.equal('neverPulsed' in redeclared, false);
  });

  test('a pulse after the declaration makes it up, no longer never pulsed', async () => {
    const declared = await wt.declare({ service: 'declared-then-pulsed', nextIn: 600, ...ops });
    const pulsed = await wt.pulse({ service: 'declared-then-pulsed', nextIn: 600, ...ops });
    assert.equal(pulsed.status, 'up');
    assert.equal('neverPulsed' in pulsed, false);
    assert.equal(pulsed.firstSeen, declared.firstSeen, 'first seen when declared, not when first pulsed');
    const now = await listed('declared-then-pulsed');
    assert.equal(now.status, 'up');
    assert.equal('neverPulsed' in now, false);
  });

  test('a declared service that never pulses dies, is alerted, and stays never pulsed until it pulses', async () => {
    const declared = await wt.declare({ service: 'declared-dies', nextIn: 0.3, ...ops });
    assert.equal(declared.status, 'new');
    assert.equal(window(declared), 300);

    const dead = await untilStatus('declared-dies', 'dead');
    assert.equal(dead.neverPulsed, true);
    assert.equal(dead.lastPulse, declared.lastPulse);
    const alerts = await waitFor(async () => {
      const found = await wt.alerts({ service: 'declared-dies' });
      return found.some((a) => a.kind === 'down') ? found : null;
    }, { what: 'the down alert of declared-dies' });
    assert.equal(alerts.filter((a) => a.kind === 'down').length, 1);

    const pulsed = await wt.pulse({ service: 'declared-dies', nextIn: 600, ...ops });
    assert.equal(pulsed.status, 'up');
    assert.equal('neverPulsed' in pulsed, false);
  });

  test('a schedule with tz and grace is declared as a pulse would give it', async () => {
    const declared = await wt.declare({ service: 'declared-scheduled', schedule: '@hourly', tz: 'Europe/Berlin', grace: '15m', ...ops });
    assert.equal(declared.status, 'new');
    assert.equal(declared.schedule, '@hourly');
    assert.equal(declared.tz, 'Europe/Berlin');
    assert.equal(declared.grace, 900);
    // Due at the next full hour after the declaration (Berlin's offset is whole hours), plus grace.
    const declaredAt = Date.parse(declared.lastPulse);
    const nextHour = (Math.floor(declaredAt / 3_600_000) + 1) * 3_600_000;
    assert.equal(Date.parse(declared.deadline), nextHour + 900_000);
  });

  test('the name is sent as one encoded path segment with PUT, and not in the body', async () => {
    const name = 'nightly/db 1?x=2#frag é';
    const sent = [];
    const client = new WatchtowerClient({
      url: server.url,
      password: server.password,
      fetch: (url, init) => {
        sent.push({ request: `${init.method} ${url}`, body: JSON.parse(init.body) });
        return fetch(url, init);
      },
    });
    const declared = await client.declare({ service: name, nextIn: 600, grace: 30, remindEvery: 0, dependsOn: 'declared-new', ...ops });
    assert.equal(declared.service, name);
    assert.equal(declared.status, 'new');
    assert.equal(declared.remindEvery, 0);
    assert.equal(declared.dependsOn, 'declared-new');
    assert.deepEqual(sent, [{
      request: `PUT ${server.url}/services/nightly%2Fdb%201%3Fx%3D2%23frag%20%C3%A9`,
      body: { alertType: 'webhook', alertTarget: 'ops', nextIn: 600, grace: 30, remindEvery: 0, dependsOn: 'declared-new' },
    }]);
    assert.equal((await listed(name)).status, 'new');
  });

  test('neither nextIn nor schedule is an InvalidRequestError naming nextIn, and nothing is declared', async () => {
    const error = await rejection(wt.declare({ service: 'declared-bad', ...ops }));
    assert.ok(error instanceof InvalidRequestError, String(error));
    assert.ok(error instanceof WatchtowerError);
    assert.ok([400, 422].includes(error.status), `status ${error.status}`);
    assert.equal(error.field, 'nextIn');
    assert.match(error.message, /^nextIn: /);
    assert.deepEqual(error.body, { error: error.message });
    assert.equal(await listed('declared-bad'), undefined);
  });

  test('the server checks the rest of the body, each error naming its field', async () => {
    for (const [declaration, field] of [
      [{ nextIn: 60, schedule: '@hourly' }, 'schedule'],
      [{ nextIn: 60, tz: 'Europe/Berlin' }, 'tz'],
      [{ schedule: '@hourly', tz: 'Nowhere/Else' }, 'tz'],
      [{ nextIn: 60, grace: 'soon' }, 'grace'],
      [{ nextIn: 60, alertType: 'carrier-pigeon' }, 'alertType'],
    ]) {
      const error = await rejection(wt.declare({ service: 'declared-refused', ...ops, ...declaration }));
      assert.ok(error instanceof InvalidRequestError, `${JSON.stringify(declaration)}: ${error}`);
      assert.equal(error.field, field, `${JSON.stringify(declaration)}: ${error.message}`);
    }
    assert.equal(await listed('declared-refused'), undefined);
  });

  test('an empty name, `.` or `..` is a TypeError, and no request', async () => {
    const { client: counting, requests } = countingClient(server);
    await assert.rejects(counting.declare({ service: '', nextIn: 60, ...ops }), { name: 'TypeError', message: /^service: required/ });
    await assert.rejects(counting.declare({ nextIn: 60, ...ops }), { name: 'TypeError', message: /^service: required/ });
    await assert.rejects(counting.declare(), TypeError);
    await assert.rejects(counting.declare({ service: '.', nextIn: 60, ...ops }), {
      name: 'TypeError',
      message: /^service: `\.` cannot be sent as a URL path segment, so it cannot be declared/,
    });
    await assert.rejects(counting.declare({ service: '..', nextIn: 60, ...ops }), { name: 'TypeError', message: /^service: `\.\.` cannot be sent/ });
    assert.equal(requests(), 0);
  });

  test('declare takes the usual call options', async () => {
    assert.equal((await wt.declare({ service: 'declared-options', nextIn: 60, ...ops }, { timeoutMs: 30_000 })).status, 'new');
    const controller = new AbortController();
    controller.abort(new Error('not now'));
    const error = await rejection(wt.declare({ service: 'declared-aborted', nextIn: 60, ...ops }, { signal: controller.signal }));
    assert.equal(error.message, 'not now');
    assert.equal(await listed('declared-aborted'), undefined);
  });
});

describe('declare and keys', () => {
  const keyClient = async (name, scope, prefix) =>
    new WatchtowerClient({ url: server.url, password: (await wt.createKey({ name, scope, prefix })).secret });

  test('a read key, and an ingest key, get a ForbiddenError naming the scope', async () => {
    for (const [name, scope] of [['declare-reader', 'read'], ['declare-ingester', 'ingest']]) {
      const client = await keyClient(name, scope);
      const error = await rejection(client.declare({ service: `by-${scope}`, nextIn: 60, ...ops }));
      assert.ok(error instanceof ForbiddenError, String(error));
      assert.ok(error instanceof WatchtowerError);
      assert.equal(error.status, 403);
      assert.equal(error.field, 'scope');
      assert.match(error.message, new RegExp(`^scope: key \`${name}\` has scope \`${scope}\`; PUT /services/\\{name\\} needs write or admin$`));
      assert.equal(await listed(`by-${scope}`), undefined);
    }
  });

  test('a write key declares within its prefix, and is refused outside it', async () => {
    const teamA = await keyClient('declare-team-a', 'write', 'team-a-');
    assert.equal((await teamA.declare({ service: 'team-a-declared', nextIn: 60, ...ops })).status, 'new');
    const error = await rejection(teamA.declare({ service: 'team-b-declared', nextIn: 60, ...ops }));
    assert.ok(error instanceof ForbiddenError, String(error));
    assert.equal(error.status, 403);
    assert.match(error.message, /team-b-declared/);
    assert.equal(await listed('team-b-declared'), undefined);
  });
});
