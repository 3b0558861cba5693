// Runs and the ping history against a real server: pings() after pulses,
// start() with and without settings (runningSince, the duration the next pulse
// or failure records), fail() (dead at once, its message an error event and
// the fail ping's body), and what each key scope may do.
// No test depends on how fast anything runs: durations are only checked to be >= 0.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { ForbiddenError, InvalidRequestError, NotFoundError, WatchtowerClient, WatchtowerError } from '../watchtower.js';
import { countingClient, startServer } from './helpers.js';

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

/** The error `promise` rejects with; fails if it resolves. */
async function rejection(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected the call to be refused');
}

/** A client of the server that records each request as {request: 'METHOD url', body, contentType}. */
function recordingClient() {
  const sent = [];
  const client = new WatchtowerClient({
    url: server.url,
    password: server.password,
    fetch: (url, init) => {
      sent.push({ request: `${init.method} ${url}`, body: init.body, contentType: init.headers['content-type'] });
      return fetch(url, init);
    },
  });
  return { client, sent };
}

describe('pings', () => {
  test('a pulse leaves a ping: kind pulse, source api, client 127.0.0.1', async () => {
    await wt.pulse({ service: 'pinged', nextIn: 600, ...ops });
    const pings = await wt.pings('pinged');
    assert.equal(pings.length, 1);
    const [ping] = pings;
    assert.equal(ping.kind, 'pulse');
    assert.equal(ping.source, 'api');
    assert.equal(ping.client, '127.0.0.1');
    assert.match(ping.date, rfc3339);
    assert.equal('duration' in ping, false, 'no run ended');
    assert.equal('body' in ping, false);
    if ('userAgent' in ping) assert.equal(typeof ping.userAgent, 'string');
  });

  test('newest first, and limit asks for at most that many', async () => {
    // Identical plain pulses within a minute are one entry, counted.
    for (let i = 0; i < 3; i++) await wt.pulse({ service: 'pinged-thrice', nextIn: 600, ...ops });
    const folded = await wt.pings('pinged-thrice');
    assert.equal(folded.length, 1);
    assert.equal(folded[0].count, 3);
    assert.match(folded[0].lastDate, rfc3339);
    await wt.start('pinged-thrice');
    await wt.pulse({ service: 'pinged-thrice', nextIn: 600, ...ops });
    const pings = await wt.pings('pinged-thrice');
    assert.deepEqual(pings.map((p) => p.kind), ['pulse', 'start', 'pulse']);
    const dates = pings.map((p) => p.date);
    assert.deepEqual(dates, [...dates].sort().reverse(), 'newest first');

    const one = await wt.pings('pinged-thrice', { limit: 1 });
    assert.equal(one.length, 1);
    assert.deepEqual(one[0], pings[0]);
    assert.equal((await wt.pings('pinged-thrice', { limit: 2 })).length, 2);
    assert.equal((await wt.pings('pinged-thrice', { limit: 10000 })).length, 3);
    assert.equal((await wt.pings('pinged-thrice', {})).length, 3);
    assert.equal((await wt.pings('pinged-thrice', null)).length, 3);
  });

  test('identical pulses fold into one counted entry, but never into or from the pulse ending a run', async () => {
    for (let i = 0; i < 3; i++) await wt.pulse({ service: 'pinged-folded', nextIn: 600, ...ops });
    const [folded, ...rest] = await wt.pings('pinged-folded');
    assert.equal(rest.length, 0, 'one entry');
    assert.equal(folded.kind, 'pulse');
    assert.equal(folded.count, 3);
    assert.match(folded.lastDate, rfc3339);
    assert.ok(Date.parse(folded.lastDate) >= Date.parse(folded.date), `${folded.lastDate} before ${folded.date}`);
    assert.equal('duration' in folded, false);

    await wt.start('pinged-run', { nextIn: 600, ...ops });
    await wt.pulse({ service: 'pinged-run', nextIn: 600, ...ops });
    await wt.pulse({ service: 'pinged-run', nextIn: 600, ...ops });
    const pings = await wt.pings('pinged-run');
    assert.deepEqual(pings.map((p) => p.kind), ['pulse', 'pulse', 'start']);
    const [next, ending] = pings;
    assert.equal(typeof ending.duration, 'number', 'the pulse ending the run has its duration');
    assert.equal('duration' in next, false);
    for (const ping of [next, ending]) {
      assert.equal('count' in ping, false);
      assert.equal('lastDate' in ping, false);
    }
  });

  test('a limit the server refuses is an InvalidRequestError naming limit', async () => {
    await wt.pulse({ service: 'pinged-limits', nextIn: 600, ...ops });
    for (const limit of [0, 10001, 'many']) {
      const error = await rejection(wt.pings('pinged-limits', { limit }));
      assert.ok(error instanceof InvalidRequestError, `${limit}: ${error}`);
      assert.equal(error.field, 'limit', error.message);
    }
  });

  test('an unknown service is a NotFoundError', async () => {
    const error = await rejection(wt.pings('never-heard-of'));
    assert.ok(error instanceof NotFoundError, String(error));
    assert.ok(error instanceof WatchtowerError);
    assert.equal(error.status, 404);
  });
});

describe('start', () => {
  test('with settings, a new service is created, up and running since its pulse', async () => {
    assert.equal(await listed('run-new'), undefined);
    const started = await wt.start('run-new', { nextIn: 3600, grace: '15m', ...ops });
    assert.equal(started.service, 'run-new');
    assert.equal(started.status, 'up');
    assert.equal(started.nextIn, 3600);
    assert.equal(started.grace, 900);
    assert.match(started.runningSince, rfc3339);
    assert.equal(started.runningSince, started.lastPulse);
    assert.equal((await listed('run-new')).runningSince, started.runningSince);

    const [ping] = await wt.pings('run-new');
    assert.equal(ping.kind, 'start');
    assert.equal(ping.source, 'api');
    assert.equal(ping.client, '127.0.0.1');
  });

  test('a later pulse ends the run: its ping has a duration >= 0, and runningSince is gone', async () => {
    const started = await wt.start('run-then-pulse', { nextIn: 600, ...ops });
    assert.ok(started.runningSince);
    const pulsed = await wt.pulse({ service: 'run-then-pulse', nextIn: 600, ...ops });
    assert.equal('runningSince' in pulsed, false);
    assert.equal('runningSince' in (await listed('run-then-pulse')), false);

    const [end, start] = await wt.pings('run-then-pulse');
    assert.equal(end.kind, 'pulse');
    assert.equal(typeof end.duration, 'number');
    assert.ok(end.duration >= 0, `duration ${end.duration}`);
    assert.equal(start.kind, 'start');
    assert.equal('duration' in start, false);
  });

  test('without settings, a monitored service starts with its own settings, and no body is sent', async () => {
    await wt.pulse({ service: 'run-own settings/1', nextIn: 1200, grace: 60, ...ops });
    const { client, sent } = recordingClient();
    const started = await client.start('run-own settings/1');
    assert.equal(started.status, 'up');
    assert.equal(started.nextIn, 1200);
    assert.equal(started.grace, 60);
    assert.match(started.runningSince, rfc3339);
    assert.deepEqual(sent, [{
      request: `POST ${server.url}/services/run-own%20settings%2F1/start`,
      body: undefined,
      contentType: undefined,
    }]);
    // Settings with no field given send no body either.
    assert.match((await client.start('run-own settings/1', {})).runningSince, rfc3339);
    assert.equal(sent[1].body, undefined);
  });

  test('with settings, they are sent as the body, service left out', async () => {
    const { client, sent } = recordingClient();
    const started = await client.start('run-scheduled', { schedule: '@hourly', tz: 'Europe/Berlin', remindEvery: 0, ...ops });
    assert.equal(started.schedule, '@hourly');
    assert.equal(started.tz, 'Europe/Berlin');
    assert.match(started.runningSince, rfc3339);
    assert.equal(sent[0].request, `POST ${server.url}/services/run-scheduled/start`);
    assert.equal(sent[0].contentType, 'application/json');
    assert.deepEqual(JSON.parse(sent[0].body), { schedule: '@hourly', tz: 'Europe/Berlin', remindEvery: 0, ...ops });
  });

  test('without settings, an unknown service is a NotFoundError, and nothing is created', async () => {
    const error = await rejection(wt.start('run-unknown'));
    assert.ok(error instanceof NotFoundError, String(error));
    assert.equal(error.status, 404);
    assert.equal(await listed('run-unknown'), undefined);
  });

  test('the server checks the settings as for declare, each error naming its field', async () => {
    for (const [settings, field] of [
      [{ ...ops }, 'nextIn'],
      [{ nextIn: 60, schedule: '@hourly', ...ops }, 'schedule'],
      [{ nextIn: 60, grace: 'soon', ...ops }, 'grace'],
      [{ service: 'another-name', nextIn: 60, ...ops }, 'service'],
    ]) {
      const error = await rejection(wt.start('run-refused', settings));
      assert.ok(error instanceof InvalidRequestError, `${JSON.stringify(settings)}: ${error}`);
      assert.equal(error.field, field, `${JSON.stringify(settings)}: ${error.message}`);
    }
    assert.equal(await listed('run-refused'), undefined);
    // The path's own name in the settings is accepted.
    assert.ok((await wt.start('run-refused', { service: 'run-refused', nextIn: 60, ...ops })).runningSince);
  });
});

describe('fail', () => {
  test('the service is dead at once, its message the fail ping body and an error event', async () => {
    await wt.start('run-fails', { nextIn: 3600, ...ops });
    const message = 'exit status 3: disk full';
    const failed = await wt.fail('run-fails', { message });
    assert.equal(failed.service, 'run-fails');
    assert.equal(failed.status, 'dead');
    assert.equal('runningSince' in failed, false);
    assert.equal((await listed('run-fails')).status, 'dead');

    const [ping, start] = await wt.pings('run-fails');
    assert.equal(ping.kind, 'fail');
    assert.equal(ping.source, 'api');
    assert.equal(ping.body, message);
    assert.equal(typeof ping.duration, 'number', 'the failure ended the run');
    assert.ok(ping.duration >= 0, `duration ${ping.duration}`);
    assert.equal(start.kind, 'start');

    const { events } = await wt.listEvents({ service: 'run-fails', level: 'error' });
    assert.ok(events.some((e) => e.message === message && e.level === 'error'), JSON.stringify(events));
  });

  test('without a message no body is sent, and the server says the run failed', async () => {
    await wt.pulse({ service: 'run fails/quietly', nextIn: 3600, ...ops });
    const { client, sent } = recordingClient();
    assert.equal((await client.fail('run fails/quietly')).status, 'dead');
    assert.deepEqual(sent, [{
      request: `POST ${server.url}/services/run%20fails%2Fquietly/fail`,
      body: undefined,
      contentType: undefined,
    }]);
    const [ping] = await wt.pings('run fails/quietly');
    assert.equal(ping.kind, 'fail');
    assert.equal(ping.body, 'run failed');
  });

  test('a message sends only it', async () => {
    await wt.pulse({ service: 'run-fails-sent', nextIn: 3600, ...ops });
    const { client, sent } = recordingClient();
    await client.fail('run-fails-sent', { message: 'boom' });
    assert.equal(sent[0].contentType, 'application/json');
    assert.deepEqual(JSON.parse(sent[0].body), { message: 'boom' });
  });

  test('an unknown service is a NotFoundError, and no event is recorded', async () => {
    const error = await rejection(wt.fail('fail-unknown', { message: 'never ran' }));
    assert.ok(error instanceof NotFoundError, String(error));
    assert.equal(error.status, 404);
    assert.equal(await listed('fail-unknown'), undefined);
    assert.deepEqual((await wt.listEvents({ service: 'fail-unknown' })).events, []);
  });

  test('a pulse brings it back up', async () => {
    await wt.pulse({ service: 'run-fails-recovers', nextIn: 3600, ...ops });
    assert.equal((await wt.fail('run-fails-recovers')).status, 'dead');
    assert.equal((await wt.pulse({ service: 'run-fails-recovers', nextIn: 3600, ...ops })).status, 'up');
  });
});

describe('what the client refuses, sending nothing', () => {
  test('an empty name, `.` or `..`', async () => {
    const { client, requests } = countingClient(server);
    for (const [call, verb] of [
      [(name) => client.start(name), 'started'],
      [(name) => client.fail(name), 'failed'],
      [(name) => client.pings(name), 'read'],
    ]) {
      await assert.rejects(call(''), { name: 'TypeError', message: /^service: required/ });
      await assert.rejects(call(undefined), { name: 'TypeError', message: /^service: required/ });
      await assert.rejects(call('.'), {
        name: 'TypeError',
        message: new RegExp(`^service: \`\\.\` cannot be sent as a URL path segment, so it cannot be ${verb}`),
      });
      await assert.rejects(call('..'), { name: 'TypeError', message: /^service: `\.\.` cannot be sent/ });
    }
    assert.equal(requests(), 0);
  });

  test('call options, or anything but an object, where the settings, report or filters go', async () => {
    const { client, requests } = countingClient(server);
    await assert.rejects(client.start('x', { timeoutMs: 500 }), { name: 'TypeError', message: /^settings: `timeoutMs` is a call option/ });
    await assert.rejects(client.fail('x', { signal: AbortSignal.timeout(500) }), { name: 'TypeError', message: /^report: `signal` is a call option/ });
    await assert.rejects(client.pings('x', { timeoutMs: 500 }), { name: 'TypeError', message: /^filters: `timeoutMs` is a call option/ });
    await assert.rejects(client.fail('x', 'disk full'), { name: 'TypeError', message: /^report: must be an object/ });
    await assert.rejects(client.pings('x', 5), { name: 'TypeError', message: /^filters: must be an object/ });
    assert.equal(requests(), 0);
  });
});

describe('call options', () => {
  test('start, fail and pings take timeoutMs and signal', async () => {
    const options = { timeoutMs: 30_000 };
    assert.ok((await wt.start('run-options', { nextIn: 600, ...ops }, options)).runningSince);
    assert.ok((await wt.start('run-options', undefined, options)).runningSince);
    assert.equal((await wt.fail('run-options', { message: 'x' }, options)).status, 'dead');
    assert.equal((await wt.fail('run-options', undefined, options)).status, 'dead');
    assert.equal((await wt.pings('run-options', { limit: 1 }, options)).length, 1);
    assert.equal((await wt.pings('run-options', undefined, options)).length, 4);

    const controller = new AbortController();
    controller.abort(new Error('not now'));
    const { signal } = controller;
    for (const call of [
      () => wt.start('run-aborted', { nextIn: 600, ...ops }, { signal }),
      () => wt.start('run-options', null, { signal }),
      () => wt.fail('run-options', null, { signal }),
      () => wt.pings('run-options', null, { signal }),
    ]) {
      assert.equal((await rejection(call())).message, 'not now');
    }
    assert.equal(await listed('run-aborted'), undefined);
    assert.equal((await wt.pings('run-options')).length, 4, 'no aborted call reached the server');
  });
});

describe('runs, pings and keys', () => {
  const keyClient = async (name, scope, prefix) =>
    new WatchtowerClient({ url: server.url, password: (await wt.createKey({ name, scope, prefix })).secret });

  test('a read key reads pings, and may not start or fail', async () => {
    await wt.pulse({ service: 'keyed-read', nextIn: 600, ...ops });
    const reader = await keyClient('pings-reader', 'read');
    const pings = await reader.pings('keyed-read');
    assert.deepEqual(pings.map((p) => p.kind), ['pulse']);
    for (const call of [() => reader.start('keyed-read'), () => reader.fail('keyed-read')]) {
      const error = await rejection(call());
      assert.ok(error instanceof ForbiddenError, String(error));
      assert.equal(error.field, 'scope');
    }
    assert.equal((await listed('keyed-read')).status, 'up');
  });

  test('an ingest key starts and fails, and may not read pings', async () => {
    const ingester = await keyClient('runs-ingester', 'ingest');
    const started = await ingester.start('keyed-ingest', { nextIn: 600, ...ops });
    assert.match(started.runningSince, rfc3339);
    assert.equal((await ingester.start('keyed-ingest')).status, 'up');
    assert.equal((await ingester.fail('keyed-ingest', { message: 'ingested failure' })).status, 'dead');

    const error = await rejection(ingester.pings('keyed-ingest'));
    assert.ok(error instanceof ForbiddenError, String(error));
    assert.ok(error instanceof WatchtowerError);
    assert.equal(error.status, 403);
    assert.equal(error.field, 'scope');
    assert.deepEqual((await wt.pings('keyed-ingest')).map((p) => p.kind), ['fail', 'start', 'start']);
  });

  test('a key with a prefix is refused outside it', async () => {
    await wt.pulse({ service: 'team-b-run', nextIn: 600, ...ops });
    const teamA = await keyClient('runs-team-a', 'write', 'team-a-');
    assert.ok((await teamA.start('team-a-run', { nextIn: 600, ...ops })).runningSince);
    assert.equal((await teamA.pings('team-a-run')).length, 1);
    for (const call of [() => teamA.start('team-b-run'), () => teamA.fail('team-b-run'), () => teamA.pings('team-b-run')]) {
      const error = await rejection(call());
      assert.ok(error instanceof ForbiddenError, String(error));
      assert.match(error.message, /team-b-run/);
    }
    assert.equal((await listed('team-b-run')).status, 'up');
    assert.equal((await wt.pings('team-b-run')).length, 1);
  });
});
