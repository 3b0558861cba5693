// The server's read-only helpers against a real server: channels() on a server
// configured with mail, webhooks, ntfy, routes and ping keys (and secrets that must
// never come back), explainSchedule() and dailyUptime().

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { ForbiddenError, InvalidRequestError, WatchtowerClient } from '../watchtower.js';
import { countingClient, startServer, waitFor } from './helpers.js';

// Secrets of the configuration: none may appear in any answer.
const SECRETS = {
  mailPassword: 'smtp-secret-4f1d9c2b7a',
  ntfyToken: 'tk_ntfysecret8e3a51c07d',
  devHeader: 'Bearer dev-hook-secret-61b2',
  opsUrlToken: 'ops-url-secret-93c7d0',
  pingKey: 'cron-ping-key-secret-a81f07',
  otherPingKey: 'push-ping-key-secret-55d2e4',
};

let server;
let wt;

before(async () => {
  server = await startServer({
    config: {
      mail: {
        host: '127.0.0.1',
        port: 9,
        security: 'none',
        username: 'watchtower',
        password: SECRETS.mailPassword,
        from: 'Watchtower <watchtower@localhost>',
      },
      webhooks: {
        dev: { url: 'http://127.0.0.1:9/dev', headers: { Authorization: SECRETS.devHeader } },
        ops: { url: `http://127.0.0.1:9/hook/${SECRETS.opsUrlToken}` },
      },
      channels: { ntfy: { url: 'http://127.0.0.1:9', token: SECRETS.ntfyToken } },
      routes: {
        oncall: [
          { alertType: 'webhook', alertTarget: 'dev' },
          { alertType: 'webhook', alertTarget: 'ops' },
        ],
      },
      pingKeys: {
        cron: { key: SECRETS.pingKey, prefix: 'cron-', alertType: 'route', alertTarget: 'oncall' },
        push: { key: SECRETS.otherPingKey, service: 'kuma-box', services: ['kuma-box', 'kuma-nas'] },
      },
    },
  });
  wt = new WatchtowerClient({ url: server.url, password: server.password });
});
after(() => server?.stop());

/** The error `promise` rejects with; fails if it resolves. */
async function rejection(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected the call to be refused');
}

/** Today's UTC date, `2026-12-03`. */
const utcToday = () => new Date().toISOString().slice(0, 10);

describe('channels', () => {
  test('lists each configured channel with the targets it takes', async () => {
    const { channels } = await wt.channels();
    const byType = Object.fromEntries(channels.map((channel) => [channel.alertType, channel]));
    assert.deepEqual(Object.keys(byType).sort(), ['mail', 'ntfy', 'route', 'webhook'], 'only the configured channels');
    assert.equal(channels.length, 4, 'each channel once');
    assert.deepEqual(byType.mail, { alertType: 'mail', form: 'email' });
    assert.deepEqual(byType.webhook, { alertType: 'webhook', form: 'named', targets: ['dev', 'ops'] });
    assert.deepEqual(byType.route, { alertType: 'route', form: 'named', targets: ['oncall'] });
    const ntfy = byType.ntfy;
    assert.equal(ntfy.form, 'pattern');
    assert.equal(typeof ntfy.maxChars, 'number');
    assert.ok(ntfy.maxChars > 0);
    assert.equal('targets' in ntfy, false, 'targets only for a named form');
    assert.equal('pattern' in byType.webhook, false, 'pattern only for a pattern form');
    assert.equal('maxChars' in byType.mail, false);
    // The pattern is a regular expression a topic must match.
    const pattern = new RegExp(ntfy.pattern);
    assert.ok(pattern.test('watchtower-alerts'));
    assert.ok(!pattern.test('not a topic!'));
  });

  test('lists the routes step by step, and the ping keys by name', async () => {
    const { routes, pingKeys } = await wt.channels();
    assert.deepEqual(routes, [
      {
        name: 'oncall',
        steps: [
          { alertType: 'webhook', alertTarget: 'dev' },
          { alertType: 'webhook', alertTarget: 'ops' },
        ],
      },
    ]);
    const byName = Object.fromEntries(pingKeys.map((key) => [key.name, key]));
    assert.deepEqual(Object.keys(byName).sort(), ['cron', 'push']);
    assert.deepEqual(byName.cron, {
      name: 'cron', service: null, prefix: 'cron-', services: [], alertType: 'route', alertTarget: 'oncall',
    });
    assert.deepEqual(byName.push, {
      name: 'push', service: 'kuma-box', prefix: null, services: ['kuma-box', 'kuma-nas'], alertType: null, alertTarget: null,
    });
  });

  test('never holds a secret: no password, key, token, header or URL', async () => {
    const text = JSON.stringify(await wt.channels());
    for (const [what, secret] of Object.entries({ ...SECRETS, password: server.password })) {
      assert.ok(!text.includes(secret), `${what} is in the answer: ${text}`);
    }
    assert.doesNotMatch(text, /127\.0\.0\.1|http:|"key"|"url"|"token"|"headers"/);
  });

  test('a read key may list the channels, an ingest key may not', async () => {
    const { secret: readSecret } = await wt.createKey({ name: 'channels-reader', scope: 'read' });
    const reader = new WatchtowerClient({ url: server.url, password: readSecret });
    assert.deepEqual(await reader.channels(), await wt.channels());
    const { secret: ingestSecret } = await wt.createKey({ name: 'channels-ingest', scope: 'ingest' });
    const ingest = new WatchtowerClient({ url: server.url, password: ingestSecret });
    const error = await rejection(ingest.channels());
    assert.ok(error instanceof ForbiddenError, `${error}`);
    assert.equal(error.status, 403);
    assert.equal(error.field, 'scope');
  });
});

/** The wall-clock parts of `date` in the zone `timeZone`: {weekday, hour, minute, second}. */
function localParts(date, timeZone) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  }).formatToParts(date);
  const part = (type) => parts.find((p) => p.type === type).value;
  return { weekday: part('weekday'), hour: Number(part('hour')), minute: Number(part('minute')), second: Number(part('second')) };
}

describe('explainSchedule', () => {
  test('describes the expression and gives its next times in the zone', async () => {
    const before = Date.now();
    const answer = await wt.explainSchedule('30 2 * * 1-5', { tz: 'Europe/Berlin', count: 12 });
    assert.equal(answer.schedule, '30 2 * * 1-5');
    assert.equal(answer.tz, 'Europe/Berlin');
    // In words, e.g. `At 02:30, on Monday, Tuesday, Wednesday, Thursday, and Friday.`
    assert.match(answer.description, /02:30/);
    assert.match(answer.description, /Monday/);
    assert.match(answer.description, /Friday/);
    assert.doesNotMatch(answer.description, /Saturday|Sunday/);
    assert.equal(answer.next.length, 12);
    let previous = before;
    for (const next of answer.next) {
      // Dates as the server writes them, kept as strings like every date of the client.
      assert.match(next, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      const time = Date.parse(next);
      assert.ok(time > previous, `${next} is after now and the time before it`);
      previous = time;
      const local = localParts(new Date(time), 'Europe/Berlin');
      assert.deepEqual({ hour: local.hour, minute: local.minute, second: local.second }, { hour: 2, minute: 30, second: 0 }, next);
      assert.ok(['Mon', 'Tue', 'Wed', 'Thu', 'Fri'].includes(local.weekday), `${next} is a ${local.weekday} in Berlin`);
      // 02:30 in Berlin is 01:30 UTC in winter, 00:30 in summer.
      assert.ok(['01:30:00', '00:30:00'].includes(next.slice(11, 19)), next);
    }
    // Twelve weekdays in a row: at most three weeks, with no weekday left out.
    const days = (Date.parse(answer.next[11]) - Date.parse(answer.next[0])) / 86_400_000;
    assert.ok(days >= 14 && days <= 17, `${days} days from the first to the twelfth`);
  });

  test('without tz and count: UTC and five times', async () => {
    const answer = await wt.explainSchedule('@hourly');
    assert.equal(answer.tz, 'UTC');
    assert.equal(typeof answer.description, 'string');
    assert.ok(answer.description.length > 0);
    assert.equal(answer.next.length, 5);
    for (const [index, next] of answer.next.entries()) {
      assert.match(next, /T\d\d:00:00\.000Z$/);
      if (index > 0) assert.equal(Date.parse(next) - Date.parse(answer.next[index - 1]), 3_600_000);
    }
    assert.ok(Date.parse(answer.next[0]) - Date.now() <= 3_600_000);
  });

  test('a bad expression is an InvalidRequestError (400) naming schedule', async () => {
    const error = await rejection(wt.explainSchedule('61 * * * *'));
    assert.ok(error instanceof InvalidRequestError, `${error}`);
    assert.equal(error.status, 400);
    assert.equal(error.field, 'schedule');
    assert.ok(error.message.startsWith('schedule: '), error.message);
    assert.equal(error.message, error.body.error, "the message is the server's");
  });

  test('a bad zone or count is an InvalidRequestError naming it', async () => {
    const zone = await rejection(wt.explainSchedule('0 9 * * *', { tz: 'Mars/Olympus_Mons' }));
    assert.ok(zone instanceof InvalidRequestError, `${zone}`);
    assert.equal(zone.status, 400);
    assert.equal(zone.field, 'tz');
    for (const count of [0, 21, 'many']) {
      const error = await rejection(wt.explainSchedule('0 9 * * *', { count }));
      assert.ok(error instanceof InvalidRequestError, `${count}: ${error}`);
      assert.equal(error.status, 400);
      assert.equal(error.field, 'count');
    }
    assert.equal((await wt.explainSchedule('0 9 * * *', { count: 20 })).next.length, 20);
  });

  test('an empty expression or a misplaced call option is a TypeError, sending nothing', async () => {
    const { client, requests } = countingClient(server);
    await assert.rejects(client.explainSchedule(''), { name: 'TypeError', message: /^schedule: required/ });
    await assert.rejects(client.explainSchedule(undefined), { name: 'TypeError', message: /^schedule: required/ });
    await assert.rejects(client.explainSchedule('0 9 * * *', { timeoutMs: 1000 }), { name: 'TypeError', message: /^query: `timeoutMs` is a call option/ });
    assert.equal(requests(), 0);
    // Call options go third.
    assert.equal((await client.explainSchedule('0 9 * * *', undefined, { timeoutMs: 5000 })).next.length, 5);
  });
});

describe('dailyUptime', () => {
  test('30 UTC days, today last; a service pulsed today is 1 today and null before', async () => {
    const { firstSeen } = await wt.pulse({ service: 'uptime-up', nextIn: 600, alertType: 'webhook', alertTarget: 'ops' });
    const todayBefore = utcToday();
    // Today's span runs from the first pulse to now: wait until it is not empty.
    const uptime = await waitFor(async () => {
      const answer = await wt.dailyUptime();
      return typeof answer.services['uptime-up']?.at(-1) === 'number' && answer;
    }, { what: "a number for today's uptime" });
    const todayAfter = utcToday();
    assert.equal(uptime.dates.length, 30);
    assert.ok([todayBefore, todayAfter].includes(uptime.dates.at(-1)), `${uptime.dates.at(-1)} is today, ${todayAfter}`);
    for (const [index, date] of uptime.dates.entries()) {
      assert.match(date, /^\d{4}-\d\d-\d\d$/);
      if (index > 0) assert.equal(Date.parse(`${date}T00:00:00Z`) - Date.parse(`${uptime.dates[index - 1]}T00:00:00Z`), 86_400_000);
    }
    const days = uptime.services['uptime-up'];
    assert.equal(days.length, 30);
    assert.equal(days.at(-1), 1, 'up all of today since its first pulse');
    // null before the day it was first seen (today, unless midnight passed since), 1 from then on.
    const seenOn = firstSeen.slice(0, 10);
    assert.deepEqual(days, uptime.dates.map((date) => (date < seenOn ? null : 1)));
    assert.ok(uptime.dates.indexOf(seenOn) >= 28, `first seen ${seenOn}: today, or yesterday just before midnight`);
  });

  test('a service that died today was up only part of it', async () => {
    await wt.pulse({ service: 'uptime-dies', nextIn: 0.2, alertType: 'webhook', alertTarget: 'ops' });
    await waitFor(async () => (await wt.services()).find((s) => s.service === 'uptime-dies')?.status === 'dead', { what: 'uptime-dies to die' });
    const todayOf = async () => (await wt.dailyUptime()).services['uptime-dies'].at(-1);
    const first = await todayOf();
    assert.equal(typeof first, 'number');
    assert.ok(first > 0 && first < 1, `today's uptime ${first}`);
    // The outage is still under way: today's share of uptime keeps falling.
    await new Promise((done) => setTimeout(done, 300));
    const later = await todayOf();
    assert.ok(later > 0 && later < first, `today's uptime ${later}, ${first} 300 ms before`);
  });

  test('a key with a prefix sees only its services; an ingest key none', async () => {
    await wt.pulse({ service: 'team-x-job', nextIn: 600, alertType: 'webhook', alertTarget: 'ops' });
    const { secret } = await wt.createKey({ name: 'uptime-team-x', scope: 'read', prefix: 'team-x-' });
    const team = new WatchtowerClient({ url: server.url, password: secret });
    const seen = await team.dailyUptime();
    assert.deepEqual(Object.keys(seen.services), ['team-x-job']);
    assert.equal(seen.dates.length, 30);
    assert.ok('uptime-up' in (await wt.dailyUptime()).services, 'the password sees every service');
    const { secret: ingestSecret } = await wt.createKey({ name: 'uptime-ingest', scope: 'ingest' });
    const ingest = new WatchtowerClient({ url: server.url, password: ingestSecret });
    const error = await rejection(ingest.dailyUptime());
    assert.ok(error instanceof ForbiddenError, `${error}`);
    assert.equal(error.field, 'scope');
  });
});
