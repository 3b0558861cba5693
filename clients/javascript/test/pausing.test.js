// Service states against a real server: pause and resume, and `late`.
// Every wait polls the server, bounded; no test depends on how fast anything runs.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { NotFoundError, WatchtowerClient, WatchtowerError } from '../watchtower.js';
import { countingClient, startServer, waitFor } from './helpers.js';

let server;
let wt;

before(async () => {
  server = await startServer();
  wt = new WatchtowerClient({ url: server.url, password: server.password });
});
after(() => server?.stop());

const ops = { alertType: 'webhook', alertTarget: 'ops' };

/** The service named `name` as `services()` lists it, or undefined. */
const listed = async (name) => (await wt.services()).find((s) => s.service === name);

/** Waits (at most 10 s) until `services()` lists `name` with `status`; resolves to it. */
const untilStatus = (name, status) =>
  waitFor(async () => {
    const service = await listed(name);
    return service?.status === status ? service : null;
  }, { what: `${name} to be ${status}` });

describe('pause and resume', () => {
  test('a paused service stays paused while a control of the same nextIn dies; resumed, it is watched again', async () => {
    const pulsed = await wt.pulse({ service: 'paused-one', nextIn: 0.4, ...ops });
    const paused = await wt.pause('paused-one');
    assert.equal(paused.service, 'paused-one');
    assert.equal(paused.status, 'paused');
    assert.equal(paused.nextIn, 0.4);
    assert.equal(paused.lastPulse, pulsed.lastPulse);
    // Pulsed after the pause, the control is due no earlier than the paused service.
    await wt.pulse({ service: 'paused-control', nextIn: 0.4, ...ops });

    await untilStatus('paused-control', 'dead');
    assert.equal((await listed('paused-one')).status, 'paused');
    assert.deepEqual(await wt.pause('paused-one'), paused, 'pausing twice answers it unchanged');

    // A fresh window of nextIn, counted from the resume.
    const sent = Date.now();
    const resumed = await wt.resume('paused-one');
    const answered = Date.now();
    assert.equal(resumed.service, 'paused-one');
    assert.equal(resumed.status, 'up');
    assert.equal(resumed.lastPulse, pulsed.lastPulse, 'a resume is not a pulse');
    const deadline = Date.parse(resumed.deadline);
    // One millisecond either side: the server and Date.now() each round the clock down.
    assert.ok(deadline >= sent + 400 - 1, `deadline ${resumed.deadline} before the resume plus nextIn`);
    assert.ok(deadline <= answered + 400 + 1, `deadline ${resumed.deadline} more than nextIn after now`);
    assert.ok(deadline > Date.parse(paused.deadline), 'the deadline moved on from the one before the pause');

    // Watched again: without a pulse, it dies like any other service.
    await untilStatus('paused-one', 'dead');
  });

  test('resume of a service that is not paused answers it unchanged', async () => {
    const up = await wt.pulse({ service: 'never-paused', nextIn: 60, ...ops });
    assert.deepEqual(await wt.resume('never-paused'), up);

    await wt.pulse({ service: 'dead-not-paused', nextIn: 0.2, ...ops });
    const dead = await untilStatus('dead-not-paused', 'dead');
    assert.deepEqual(await wt.resume('dead-not-paused'), dead);
    assert.equal((await listed('dead-not-paused')).status, 'dead');
  });

  test('a pulse ends a pause', async () => {
    await wt.pulse({ service: 'pulse-unpauses', nextIn: 60, ...ops });
    assert.equal((await wt.pause('pulse-unpauses')).status, 'paused');
    assert.equal((await wt.pulse({ service: 'pulse-unpauses', nextIn: 60, ...ops })).status, 'up');
    assert.equal((await listed('pulse-unpauses')).status, 'up');
  });

  test('a dead service may be paused', async () => {
    await wt.pulse({ service: 'dead-then-paused', nextIn: 0.2, ...ops });
    await untilStatus('dead-then-paused', 'dead');
    assert.equal((await wt.pause('dead-then-paused')).status, 'paused');
    assert.equal((await listed('dead-then-paused')).status, 'paused');
  });

  test('an unknown name is a NotFoundError naming it, for pause and resume', async () => {
    for (const call of [() => wt.pause('never-declared'), () => wt.resume('never-declared')]) {
      const error = await call().catch((e) => e);
      assert.ok(error instanceof NotFoundError, String(error));
      assert.ok(error instanceof WatchtowerError);
      assert.equal(error.status, 404);
      assert.equal(error.message, 'name: no service named `never-declared`');
      assert.deepEqual(error.body, { error: error.message });
    }
  });

  test('a name with /, ?, #, spaces and non-ASCII is sent as one path segment and round-trips', async () => {
    const name = 'maint/db 1?x=2#frag é';
    const urls = [];
    const client = new WatchtowerClient({
      url: server.url,
      password: server.password,
      fetch: (url, init) => {
        urls.push(`${init.method} ${url}`);
        return fetch(url, init);
      },
    });
    await client.pulse({ service: name, nextIn: 60, ...ops });
    const paused = await client.pause(name);
    assert.equal(paused.service, name);
    assert.equal(paused.status, 'paused');
    assert.equal((await listed(name)).status, 'paused');
    const resumed = await client.resume(name);
    assert.equal(resumed.service, name);
    assert.equal(resumed.status, 'up');
    const segment = 'maint%2Fdb%201%3Fx%3D2%23frag%20%C3%A9';
    assert.deepEqual(urls, [
      `POST ${server.url}/`,
      `POST ${server.url}/services/${segment}/pause`,
      `POST ${server.url}/services/${segment}/resume`,
    ]);
  });

  test('an empty name, `.` or `..` is a TypeError, and no request', async () => {
    const { client: counting, requests } = countingClient(server);
    for (const call of [(n) => counting.pause(n), (n) => counting.resume(n)]) {
      await assert.rejects(call(''), { name: 'TypeError', message: /^service: required/ });
      await assert.rejects(call(undefined), TypeError);
      // A URL resolves these segments (%2E too) before sending, so they cannot be named in a path.
      await assert.rejects(call('.'), { name: 'TypeError', message: /^service: `\.` cannot be sent/ });
      await assert.rejects(call('..'), { name: 'TypeError', message: /^service: `\.\.` cannot be sent/ });
    }
    assert.equal(requests(), 0);
  });

  test('pause and resume take the usual call options', async () => {
    await wt.pulse({ service: 'with-options', nextIn: 60, ...ops });
    assert.equal((await wt.pause('with-options', { timeoutMs: 30_000 })).status, 'paused');
    const controller = new AbortController();
    controller.abort(new Error('not now'));
    const error = await wt.resume('with-options', { signal: controller.signal }).catch((e) => e);
    assert.equal(error.message, 'not now');
    assert.equal((await listed('with-options')).status, 'paused');
  });
});

describe('late', () => {
  test('past its expected time but within its grace, a service is listed late, not dead', async () => {
    const pulsed = await wt.pulse({ service: 'late-one', nextIn: 0.2, grace: 600, ...ops });
    assert.equal(pulsed.status, 'up');
    assert.equal(pulsed.grace, 600);
    assert.equal(Date.parse(pulsed.deadline) - Date.parse(pulsed.lastPulse), 600_200);
    const late = await untilStatus('late-one', 'late');
    assert.equal(late.deadline, pulsed.deadline);
    // A pulse puts it back on time.
    assert.equal((await wt.pulse({ service: 'late-one', nextIn: 60, grace: 600, ...ops })).status, 'up');
    assert.equal((await listed('late-one')).status, 'up');
  });
});
