// Heartbeat against a real server: pulses on schedule, cancels on stop, never throws.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { AuthenticationError, Heartbeat, WatchtowerClient } from '../watchtower.js';
import { countingClient, here, runNode, startServer, waitFor } from './helpers.js';

let server;
let wt;

before(async () => {
  server = await startServer();
  wt = new WatchtowerClient({ url: server.url, password: server.password });
});
after(() => server?.stop());

const ops = { alertType: 'webhook', alertTarget: 'ops' };
const names = async () => (await wt.services()).map((s) => s.service);

test('pulses repeatedly until stopped, and leaves the service monitored', async () => {
  const seen = [];
  const hb = new Heartbeat(wt, { service: 'hb-repeat', nextIn: 30, every: 0.05, ...ops, onPulse: (s) => seen.push(s) });
  assert.equal(hb.running, false);
  assert.equal(hb.start(), hb);
  assert.equal(hb.running, true);
  await waitFor(() => seen.length >= 3, { what: '3 pulses' });
  await hb.stop();
  assert.equal(hb.running, false);
  assert.ok(hb.pulses >= 3);
  assert.equal(hb.lastPulse.service, 'hb-repeat');
  assert.equal(hb.lastPulse.status, 'up');
  assert.equal(hb.lastError, null);
  // Each pulse moved lastPulse forward.
  const dates = seen.map((s) => s.lastPulse);
  assert.deepEqual(dates, [...dates].sort());
  assert.equal(new Set(dates).size, dates.length);
  assert.ok((await names()).includes('hb-repeat'));
});

test('no pulse is sent after stop() resolves', async () => {
  const { client: counting, requests } = countingClient(server);
  const hb = counting.heartbeat({ service: 'hb-quiet', nextIn: 30, every: 0.02, ...ops });
  await waitFor(() => hb.pulses >= 2, { what: '2 pulses' });
  await hb.stop();
  const after = requests();
  // Several intervals later, still nothing new.
  await new Promise((done) => setTimeout(done, 200));
  assert.equal(requests(), after);
});

test('cancelOnStop cancels the service when stopped', async () => {
  const hb = wt.heartbeat({ service: 'hb-cancel', nextIn: 30, every: 10, cancelOnStop: true, ...ops });
  await waitFor(() => hb.pulses === 1, { what: 'the first pulse' });
  assert.ok((await names()).includes('hb-cancel'));
  await hb.stop();
  assert.equal((await names()).includes('hb-cancel'), false);
  // Stopping twice, or a service already gone, is fine.
  await hb.stop();
});

test('stop({cancel: true}) cancels even without cancelOnStop', async () => {
  const hb = wt.heartbeat({ service: 'hb-cancel-once', nextIn: 30, every: 10, ...ops });
  await waitFor(() => hb.pulses === 1, { what: 'the first pulse' });
  await hb.stop({ cancel: true });
  assert.equal((await names()).includes('hb-cancel-once'), false);
});

test('sends remindEvery and dependsOn with each pulse', async () => {
  const hb = wt.heartbeat({ service: 'hb-extras', nextIn: 30, every: 10, remindEvery: 120, dependsOn: 'hb-repeat', ...ops });
  await waitFor(() => hb.pulses === 1, { what: 'the first pulse' });
  await hb.stop({ cancel: true });
  assert.equal(hb.lastPulse.remindEvery, 120);
  assert.equal(hb.lastPulse.dependsOn, 'hb-repeat');
});

test('sends grace with each pulse', async () => {
  const hb = wt.heartbeat({ service: 'hb-grace', nextIn: 30, every: 10, grace: '1m', ...ops });
  await waitFor(() => hb.pulses === 1, { what: 'the first pulse' });
  await hb.stop({ cancel: true });
  assert.equal(hb.lastPulse.grace, 60);
  assert.equal(Date.parse(hb.lastPulse.deadline) - Date.parse(hb.lastPulse.lastPulse), 90_000);
});

test('failed pulses go to onError and the heartbeat keeps trying', async () => {
  const bad = new WatchtowerClient({ url: server.url, password: 'wrong-password' });
  const errors = [];
  const hb = bad.heartbeat({
    service: 'hb-failing',
    nextIn: 30,
    every: 0.02,
    cancelOnStop: true,
    ...ops,
    onError: (error) => {
      errors.push(error);
      throw new Error('a throwing callback does not break the heartbeat');
    },
  });
  await waitFor(() => errors.length >= 3, { what: '3 failed pulses' });
  assert.ok(errors.every((e) => e instanceof AuthenticationError));
  assert.ok(hb.lastError instanceof AuthenticationError);
  assert.equal(hb.pulses, 0);
  // The cancel on stop fails too, and stop() says so.
  await assert.rejects(hb.stop(), AuthenticationError);
  assert.equal(hb.running, false);
});

test('options are checked', () => {
  assert.throws(() => new Heartbeat({}, { service: 's', nextIn: 10 }), /client/);
  assert.throws(() => new Heartbeat(wt, { nextIn: 10 }), /service/);
  assert.throws(() => new Heartbeat(wt, { service: 's', nextIn: 0 }), /nextIn/);
  assert.throws(() => new Heartbeat(wt, { service: 's', nextIn: 0.05 }), {
    name: 'RangeError',
    message: 'nextIn: must be at least 0.1 seconds (100 ms)',
  });
  assert.doesNotThrow(() => new Heartbeat(wt, { service: 's', nextIn: 0.1, ...ops }));
  assert.throws(() => new Heartbeat(wt, { service: 's', nextIn: 10, every: 10 }), RangeError);
  assert.throws(() => new Heartbeat(wt, { service: 's', nextIn: 10, every: -1 }), /every/);
  assert.doesNotThrow(() => new Heartbeat(wt, { service: 's', nextIn: 10, ...ops }));
  // A heartbeat pulses at a fixed rate: it takes nextIn, never a cron schedule.
  assert.throws(() => new Heartbeat(wt, { service: 's', schedule: '@hourly', ...ops }), {
    name: 'TypeError',
    message: /^schedule: a Heartbeat pulses every `every` seconds and needs nextIn/,
  });
  assert.throws(() => wt.heartbeat({ service: 's', nextIn: 10, schedule: '@hourly', ...ops }), /^TypeError: schedule: /);
  assert.throws(() => new Heartbeat(wt, { service: 's', nextIn: 10, tz: 'UTC', ...ops }), /^TypeError: tz: /);
  assert.doesNotThrow(() => new Heartbeat(wt, { service: 's', nextIn: 10, grace: 5, schedule: null, tz: undefined, ...ops }));
});

const child = join(here, 'fixtures', 'heartbeat-child.js');
const childEnv = (service, extra = {}) => ({ WT_URL: server.url, WT_PASSWORD: server.password, WT_SERVICE: service, ...extra });

test('the timer does not keep a Node process alive', async () => {
  const { code, stdout } = await runNode([child], { env: childEnv('hb-unref') });
  assert.equal(code, 0);
  assert.match(stdout, /^pulse 1$/m);
});

test('keepAlive keeps the process alive and pulsing', async () => {
  const run = runNode([child], {
    env: childEnv('hb-keepalive', { WT_KEEP_ALIVE: '1' }),
    onStdout: (out, proc) => {
      if (/^pulse 3$/m.test(out)) proc.kill('SIGKILL');
    },
  });
  const { signal, stdout } = await run;
  assert.equal(signal, 'SIGKILL');
  assert.match(stdout, /^pulse 3$/m);
});

test('with signals, SIGTERM stops the heartbeat, cancels the service and exits', async () => {
  const run = runNode([child], {
    env: childEnv('hb-signal', { WT_KEEP_ALIVE: '1', WT_SIGNALS: 'SIGINT,SIGTERM' }),
    onStdout: (out, proc) => {
      if (/^pulse 2$/m.test(out) && !proc.killed) proc.kill('SIGTERM');
    },
  });
  const { signal, stdout, stderr } = await run;
  assert.equal(signal, 'SIGTERM', stderr);
  assert.match(stdout, /^pulse 2$/m);
  assert.doesNotMatch(stdout, /error/);
  assert.equal((await names()).includes('hb-signal'), false);
});
