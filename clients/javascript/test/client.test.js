// WatchtowerClient against a real server: every operation, filter, page and error.

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, test } from 'node:test';

import {
  AuthenticationError,
  ForbiddenError,
  InvalidRequestError,
  NotFoundError,
  RequestTimeoutError,
  ServerUnavailableError,
  WatchtowerClient,
  WatchtowerError,
} from '../watchtower.js';
import { countingClient, startServer, unusedPort } from './helpers.js';

let server;
let wt;

before(async () => {
  server = await startServer();
  wt = new WatchtowerClient({ url: server.url, password: server.password });
});
after(() => server?.stop());

const ops = { alertType: 'webhook', alertTarget: 'ops' };

/** Events sorted as the server sorts them: by date, then id. */
const byDateThenId = (a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.id - b.id);

describe('services', () => {
  test('pulse answers the service as the server sees it', async () => {
    const service = await wt.pulse({ service: 'pulse-basic', nextIn: 90, ...ops });
    assert.equal(service.service, 'pulse-basic');
    assert.equal(service.alertType, 'webhook');
    assert.equal(service.alertTarget, 'ops');
    assert.equal(service.nextIn, 90);
    assert.equal(service.status, 'up');
    assert.match(service.lastPulse, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(Date.parse(service.deadline) - Date.parse(service.lastPulse), 90_000);
    assert.equal('remindEvery' in service, false);
    assert.equal('dependsOn' in service, false);
  });

  test('pulse sends remindEvery and dependsOn, and a later pulse without them clears them', async () => {
    const first = await wt.pulse({ service: 'pulse-extras', nextIn: 1.5, remindEvery: 600, dependsOn: 'pulse-basic', ...ops });
    assert.equal(first.nextIn, 1.5);
    assert.equal(first.remindEvery, 600);
    assert.equal(first.dependsOn, 'pulse-basic');
    const second = await wt.pulse({ service: 'pulse-extras', nextIn: 60, ...ops });
    assert.equal('remindEvery' in second, false);
    assert.equal('dependsOn' in second, false);
  });

  test('services() lists every service sorted by name', async () => {
    for (const name of ['list-c', 'list-a', 'list-b']) await wt.pulse({ service: name, nextIn: 60, ...ops });
    const services = await wt.services();
    const names = services.map((s) => s.service);
    assert.deepEqual(names, [...names].sort());
    for (const name of ['list-a', 'list-b', 'list-c']) assert.ok(names.includes(name), name);
    const b = services.find((s) => s.service === 'list-b');
    assert.equal(b.status, 'up');
    assert.equal(b.alertTarget, 'ops');
  });

  test('cancel answers the removed service, which is then gone', async () => {
    await wt.pulse({ service: 'to-cancel', nextIn: 60, ...ops });
    const removed = await wt.cancel('to-cancel');
    assert.equal(removed.service, 'to-cancel');
    assert.equal(removed.nextIn, 60);
    const names = (await wt.services()).map((s) => s.service);
    assert.equal(names.includes('to-cancel'), false);
  });

  test('cancel of an unknown service is a NotFoundError with the server message', async () => {
    const error = await wt.cancel('never-pulsed').catch((e) => e);
    assert.ok(error instanceof NotFoundError);
    assert.ok(error instanceof WatchtowerError);
    assert.equal(error.status, 404);
    assert.equal(error.name, 'NotFoundError');
    assert.match(error.message, /never-pulsed/);
    assert.deepEqual(error.body, { error: error.message });
  });
});

describe('scheduled pulses', () => {
  const HOUR = 3_600_000;
  /** The first instant after `date` whose offset within the hour is `minuteMs` (UTC). */
  const nextInHour = (date, minuteMs = 0) => {
    const t = Date.parse(date);
    const candidate = Math.floor((t - minuteMs) / HOUR) * HOUR + minuteMs;
    return candidate > t ? candidate : candidate + HOUR;
  };

  test('schedule @hourly with grace "15m": the deadline is the next whole UTC hour plus 900 s', async () => {
    const service = await wt.pulse({ service: 'cron-hourly', schedule: '@hourly', grace: '15m', ...ops });
    assert.equal(service.schedule, '@hourly');
    assert.equal(service.tz, 'UTC');
    assert.equal(service.grace, 900);
    assert.equal(service.status, 'up');
    const nextHour = nextInHour(service.lastPulse);
    assert.equal(Date.parse(service.deadline), nextHour + 900_000);
    // nextIn answers the seconds from the pulse to the schedule's next time.
    assert.ok(Math.abs(service.nextIn * 1000 - (nextHour - Date.parse(service.lastPulse))) < 1, String(service.nextIn));
  });

  test('schedule, tz and grace come back, in the pulse answer and in services()', async () => {
    const answered = await wt.pulse({ service: 'cron-listed', schedule: '0 9 * * MON-FRI', tz: 'UTC', grace: 900, ...ops });
    assert.equal(answered.schedule, '0 9 * * MON-FRI');
    assert.equal(answered.tz, 'UTC');
    assert.equal(answered.grace, 900);
    const listed = (await wt.services()).find((s) => s.service === 'cron-listed');
    assert.equal(listed.schedule, '0 9 * * MON-FRI');
    assert.equal(listed.tz, 'UTC');
    assert.equal(listed.grace, 900);
    assert.equal(listed.deadline, answered.deadline);
    // The first 09:00 UTC of a weekday after the pulse, plus the grace.
    const pulsed = Date.parse(answered.lastPulse);
    const day = new Date(pulsed);
    let due;
    for (let i = 0; due === undefined; i++) {
      const candidate = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate() + i, 9);
      const weekday = new Date(candidate).getUTCDay();
      if (candidate > pulsed && weekday >= 1 && weekday <= 5) due = candidate;
    }
    assert.equal(Date.parse(answered.deadline), due + 900_000);
    // A service that never had a schedule or a grace carries none of the three.
    await wt.pulse({ service: 'cron-listed-plain', nextIn: 60, ...ops });
    const plain = (await wt.services()).find((s) => s.service === 'cron-listed-plain');
    for (const field of ['schedule', 'tz', 'grace']) assert.equal(field in plain, false, field);
  });

  test('tz Asia/Kolkata (UTC+05:30): "0 * * * *" falls at minute 30 UTC', async () => {
    const service = await wt.pulse({ service: 'cron-kolkata', schedule: '0 * * * *', tz: 'Asia/Kolkata', ...ops });
    assert.equal(service.tz, 'Asia/Kolkata');
    assert.equal('grace' in service, false);
    assert.equal(Date.parse(service.deadline), nextInHour(service.lastPulse, 30 * 60_000));
    assert.match(service.deadline, /T\d\d:30:00\.000Z$/);
  });

  test('grace with nextIn: the deadline is nextIn + grace after the pulse', async () => {
    const service = await wt.pulse({ service: 'grace-next-in', nextIn: 60, grace: 30, ...ops });
    assert.equal(service.nextIn, 60);
    assert.equal(service.grace, 30);
    assert.equal('schedule' in service, false);
    assert.equal(Date.parse(service.deadline) - Date.parse(service.lastPulse), 90_000);
  });

  test('a pulse with nextIn after one with a schedule drops the schedule', async () => {
    await wt.pulse({ service: 'cron-then-interval', schedule: '@daily', tz: 'Europe/Berlin', ...ops });
    const service = await wt.pulse({ service: 'cron-then-interval', nextIn: 60, ...ops });
    assert.equal('schedule' in service, false);
    assert.equal('tz' in service, false);
    assert.equal(Date.parse(service.deadline) - Date.parse(service.lastPulse), 60_000);
  });

  test('an invalid expression is an InvalidRequestError (400) naming schedule', async () => {
    const error = await wt.pulse({ service: 'cron-bad', schedule: 'every tuesday', ...ops }).catch((e) => e);
    assert.ok(error instanceof InvalidRequestError, String(error));
    assert.equal(error.status, 400);
    assert.equal(error.field, 'schedule');
  });

  test('a schedule that never comes, or an impossible range, is an InvalidRequestError (422) naming schedule', async () => {
    for (const schedule of ['0 0 30 2 *', '5-1 * * * *']) {
      const error = await wt.pulse({ service: 'cron-never', schedule, ...ops }).catch((e) => e);
      assert.ok(error instanceof InvalidRequestError, `${schedule}: ${error}`);
      assert.equal(error.status, 422, schedule);
      assert.equal(error.field, 'schedule', schedule);
    }
  });

  test('an unknown time zone is an InvalidRequestError naming tz', async () => {
    const error = await wt.pulse({ service: 'cron-tz', schedule: '@daily', tz: 'Mars/Olympus_Mons', ...ops }).catch((e) => e);
    assert.ok(error instanceof InvalidRequestError, String(error));
    assert.equal(error.status, 400);
    assert.equal(error.field, 'tz');
  });

  test('an invalid grace is the server\'s InvalidRequestError naming grace', async () => {
    for (const grace of [-1, 'soon']) {
      const error = await wt.pulse({ service: 'cron-grace', schedule: '@daily', grace, ...ops }).catch((e) => e);
      assert.ok(error instanceof InvalidRequestError, `${grace}: ${error}`);
      assert.equal(error.field, 'grace', String(grace));
    }
  });

  test('nextIn and schedule both, neither, or tz without schedule: a TypeError, and no request', async () => {
    const { client: counting, requests } = countingClient(server);
    await assert.rejects(counting.pulse({ service: 'local', nextIn: 60, schedule: '@daily', ...ops }), {
      name: 'TypeError',
      message: /^schedule: give either nextIn or schedule, not both/,
    });
    await assert.rejects(counting.pulse({ service: 'local', ...ops }), { name: 'TypeError', message: /^nextIn: required/ });
    await assert.rejects(counting.pulse({ service: 'local', nextIn: null, schedule: null, ...ops }), {
      name: 'TypeError',
      message: /^nextIn: /,
    });
    await assert.rejects(counting.pulse({ service: 'local', nextIn: 60, tz: 'UTC', ...ops }), { name: 'TypeError', message: /^tz: / });
    await assert.rejects(counting.pulse({ service: 'local', tz: 'UTC', ...ops }), TypeError);
    await assert.rejects(counting.pulse(), TypeError);
    assert.equal(requests(), 0);
  });

  test('absent or null options are left out of the request body', async () => {
    const bodies = [];
    const recording = new WatchtowerClient({
      url: server.url,
      password: server.password,
      fetch: (url, init) => {
        bodies.push(JSON.parse(init.body));
        return fetch(url, init);
      },
    });
    await recording.pulse({ service: 'cron-body', schedule: '@weekly', tz: undefined, grace: null, nextIn: null, ...ops });
    await recording.pulse({ service: 'cron-body', nextIn: 60, schedule: undefined, ...ops });
    assert.deepEqual(bodies, [
      { service: 'cron-body', alertType: 'webhook', alertTarget: 'ops', schedule: '@weekly' },
      { service: 'cron-body', alertType: 'webhook', alertTarget: 'ops', nextIn: 60 },
    ]);
  });
});

describe('events', () => {
  // Services that never pulse, so the server's own events do not mix in.
  const added = [];
  const levels = ['debug', 'info', 'warning', 'error', 'critical'];

  before(async () => {
    const specs = [
      ['ev-alpha', 'debug', 'Disk check OK'],
      ['ev-alpha', 'info', 'backup started'],
      ['ev-alpha', 'warning', 'DISK 91% full'],
      ['ev-alpha', 'error', 'backup failed: disk full'],
      ['ev-alpha', 'critical', 'data loss'],
      ['ev-beta', 'info', 'hello from beta'],
      ['ev-beta', 'error', 'beta disk error'],
    ];
    for (const [service, level, message] of specs) added.push(await wt.addEvent({ service, level, message }));
  });

  test('addEvent answers the stored event with its id and date', async () => {
    const event = await wt.addEvent({ service: 'ev-single', level: 'WARN', message: 'spelled loudly' });
    assert.equal(typeof event.id, 'number');
    assert.equal(event.service, 'ev-single');
    assert.equal(event.level, 'warning');
    assert.equal(event.message, 'spelled loudly');
    assert.ok(!Number.isNaN(Date.parse(event.date)));
    assert.ok(added.every((e) => e.id < event.id));
  });

  test('service filter, newest first by default', async () => {
    const { events, nextCursor } = await wt.listEvents({ service: 'ev-alpha' });
    const expected = added.filter((e) => e.service === 'ev-alpha').sort(byDateThenId).reverse();
    assert.deepEqual(events, expected);
    assert.equal(nextCursor, null);
  });

  test('order asc', async () => {
    const { events } = await wt.listEvents({ service: 'ev-alpha', order: 'asc' });
    assert.deepEqual(events, added.filter((e) => e.service === 'ev-alpha').sort(byDateThenId));
  });

  test('level is a minimum', async () => {
    for (const level of levels) {
      const { events } = await wt.listEvents({ service: 'ev-alpha', level, order: 'asc' });
      const min = levels.indexOf(level);
      const expected = added.filter((e) => e.service === 'ev-alpha' && levels.indexOf(e.level) >= min).sort(byDateThenId);
      assert.deepEqual(events, expected, level);
    }
  });

  test('message is a case-insensitive substring', async () => {
    const { events } = await wt.listEvents({ message: 'disk', order: 'asc' });
    const expected = added.filter((e) => e.message.toLowerCase().includes('disk')).sort(byDateThenId);
    assert.deepEqual(events.filter((e) => e.service.startsWith('ev-')), expected);
    assert.equal(expected.length, 4);
  });

  test('from and to take RFC 3339 strings, Dates and epoch seconds', async () => {
    const alpha = added.filter((e) => e.service === 'ev-alpha').sort(byDateThenId);
    const [low, high] = [alpha[1].date, alpha[3].date];
    const expected = alpha.filter((e) => e.date >= low && e.date <= high);
    for (const [from, to] of [
      [low, high],
      [new Date(low), new Date(high)],
      [Date.parse(low) / 1000, Date.parse(high) / 1000],
    ]) {
      const { events } = await wt.listEvents({ service: 'ev-alpha', from, to, order: 'asc' });
      assert.deepEqual(events, expected, `${typeof from}`);
    }
    const onlyFrom = await wt.listEvents({ service: 'ev-alpha', from: new Date(high), order: 'asc' });
    assert.deepEqual(onlyFrom.events, alpha.filter((e) => e.date >= high));
    const onlyTo = await wt.listEvents({ service: 'ev-alpha', to: low, order: 'asc' });
    assert.deepEqual(onlyTo.events, alpha.filter((e) => e.date <= low));
  });

  test('every filter at once', async () => {
    const { events } = await wt.listEvents({
      service: 'ev-alpha',
      level: 'warning',
      message: 'DISK',
      from: added[0].date,
      to: new Date(Date.parse(added[added.length - 1].date) + 1000),
      order: 'asc',
      limit: 10,
    });
    assert.deepEqual(events.map((e) => e.message), ['DISK 91% full', 'backup failed: disk full']);
  });

  test('undefined and null filters are left out', async () => {
    const { events } = await wt.listEvents({ service: 'ev-beta', level: undefined, message: null, order: 'asc' });
    assert.deepEqual(events, added.filter((e) => e.service === 'ev-beta'));
  });
});

describe('pagination', () => {
  const service = 'paged';
  let added;

  before(async () => {
    added = [];
    for (let i = 0; i < 7; i++) added.push(await wt.addEvent({ service, level: 'info', message: `page event ${i}` }));
  });

  test('listEvents follows nextCursor over 3 pages, newest first', async () => {
    const pages = [];
    let cursor;
    do {
      const page = await wt.listEvents({ service, limit: 3, cursor });
      pages.push(page.events);
      cursor = page.nextCursor;
      assert.ok(pages.length <= 3, 'more pages than expected');
    } while (cursor);
    assert.deepEqual(pages.map((p) => p.length), [3, 3, 1]);
    assert.deepEqual(pages.flat(), [...added].sort(byDateThenId).reverse());
  });

  test('the events() iterator yields every match in order, oldest first too', async () => {
    const seen = [];
    for await (const event of wt.events({ service, order: 'asc', limit: 3 })) seen.push(event);
    assert.deepEqual(seen, [...added].sort(byDateThenId));
  });

  test('the events() iterator can stop early', async () => {
    const seen = [];
    for await (const event of wt.events({ service, limit: 2 })) {
      seen.push(event.id);
      if (seen.length === 3) break;
    }
    assert.equal(seen.length, 3);
  });

  test('a cursor names a position: read in the other order, the page runs back the other way', async () => {
    const first = await wt.listEvents({ service, limit: 3 });
    assert.ok(first.nextCursor);
    const back = await wt.listEvents({ service, limit: 3, order: 'asc', cursor: first.nextCursor });
    assert.deepEqual(back.events.map((e) => e.id), first.events.slice(0, 2).map((e) => e.id).reverse());
  });

  test('a cursor the server did not give is an InvalidRequestError naming cursor', async () => {
    const error = await wt.listEvents({ service, cursor: 'not-a-cursor' }).catch((e) => e);
    assert.ok(error instanceof InvalidRequestError);
    assert.equal(error.field, 'cursor');
  });
});

describe('errors', () => {
  test('a wrong password is an AuthenticationError', async () => {
    const bad = new WatchtowerClient({ url: server.url, password: 'not-the-password' });
    for (const call of [() => bad.services(), () => bad.pulse({ service: 'x', nextIn: 5, ...ops }), () => bad.listEvents()]) {
      const error = await call().catch((e) => e);
      assert.ok(error instanceof AuthenticationError, String(error));
      assert.equal(error.status, 401);
      assert.match(error.message, /password/);
    }
  });

  test('an invalid pulse is an InvalidRequestError naming the field', async () => {
    const error = await wt.pulse({ service: 'bad', nextIn: 0, ...ops }).catch((e) => e);
    assert.ok(error instanceof InvalidRequestError);
    assert.equal(error.status, 400);
    assert.equal(error.field, 'nextIn');
    assert.match(error.message, /^nextIn: /);

    const level = await wt.addEvent({ service: 'bad', level: 'loud', message: 'x' }).catch((e) => e);
    assert.equal(level.field, 'level');
    const target = await wt.pulse({ service: 'bad', nextIn: 5, alertType: 'webhook', alertTarget: 'nope' }).catch((e) => e);
    assert.ok(target instanceof InvalidRequestError);
    assert.equal(target.field, 'alertTarget');
  });

  test('an unknown filter is rejected by the server, naming query', async () => {
    const error = await wt.listEvents({ sevrice: 'typo' }).catch((e) => e);
    assert.ok(error instanceof InvalidRequestError);
    assert.equal(error.field, 'query');
  });

  test('a wrong base path is a NotFoundError', async () => {
    const lost = new WatchtowerClient({ url: `${server.url}/not-here/`, password: server.password });
    const error = await lost.addEvent({ service: 'x', level: 'info', message: 'x' }).catch((e) => e);
    assert.ok(error instanceof NotFoundError);
  });

  test('an unreachable server is a ServerUnavailableError carrying the cause', async () => {
    const port = await unusedPort();
    const gone = new WatchtowerClient({ url: `http://127.0.0.1:${port}`, password: 'x' });
    const error = await gone.services().catch((e) => e);
    assert.ok(error instanceof ServerUnavailableError, String(error));
    assert.equal(error.status, undefined);
    assert.ok(error.cause);
    assert.match(error.message, /ECONNREFUSED/);
  });

  describe('answers a proxy or a failing server may give', () => {
    let stub;
    let stubUrl;
    let answer;
    before(async () => {
      stub = createServer((request, response) => {
        request.resume();
        const { status, body, type = 'application/json' } = answer;
        response.writeHead(status, { 'content-type': type }).end(body);
      });
      await new Promise((done) => stub.listen(0, '127.0.0.1', done));
      stubUrl = `http://127.0.0.1:${stub.address().port}`;
    });
    after(() => new Promise((done) => stub.close(done)));

    const cases = [
      [503, '{"error":"storage is unavailable, try again later"}', ServerUnavailableError, 'storage is unavailable, try again later'],
      [502, '<html>Bad Gateway</html>', ServerUnavailableError, /^HTTP 502 Bad Gateway: <html>/],
      [429, '', ServerUnavailableError, /^HTTP 429/],
      [408, '{"error":"request took longer than 30s"}', RequestTimeoutError, /longer/],
      [413, '{"error":"request body is larger than 1048576 bytes"}', WatchtowerError, /larger/],
      [403, '{"error":"scope: key `x` has scope `read`; POST / needs ingest, write or admin"}', ForbiddenError, /^scope: key `x`/],
      [409, '{"error":"name: a live key is named `x`; revoke it first, or choose another name"}', WatchtowerError, /live key/],
    ];
    for (const [status, body, Type, message] of cases) {
      test(`${status} is a ${Type.name}`, async () => {
        answer = { status, body, type: body.startsWith('{') ? 'application/json' : 'text/html' };
        const client = new WatchtowerClient({ url: stubUrl, password: 'x' });
        const error = await client.services().catch((e) => e);
        assert.ok(error instanceof Type, String(error));
        assert.equal(error.constructor, Type);
        assert.equal(error.status, status);
        if (typeof message === 'string') assert.equal(error.message, message);
        else assert.match(error.message, message);
      });
    }

    test('a 200 that is not JSON is a WatchtowerError', async () => {
      answer = { status: 200, body: '<html>hello</html>', type: 'text/html' };
      const client = new WatchtowerClient({ url: stubUrl, password: 'x' });
      const error = await client.services().catch((e) => e);
      assert.equal(error.constructor, WatchtowerError);
      assert.match(error.message, /not JSON/);
    });
  });
});

describe('timeouts and cancellation', () => {
  let silent;
  let silentUrl;
  const sockets = new Set();
  before(async () => {
    // Accepts connections and never answers.
    silent = createServer(() => {});
    silent.on('connection', (socket) => sockets.add(socket));
    await new Promise((done) => silent.listen(0, '127.0.0.1', done));
    silentUrl = `http://127.0.0.1:${silent.address().port}`;
  });
  after(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise((done) => silent.close(done));
  });

  test('a request that takes longer than timeoutMs is a RequestTimeoutError', async () => {
    const client = new WatchtowerClient({ url: silentUrl, password: 'x', timeoutMs: 150 });
    const error = await client.services().catch((e) => e);
    assert.ok(error instanceof RequestTimeoutError, String(error));
    assert.ok(error instanceof ServerUnavailableError);
    assert.match(error.message, /150 ms/);
  });

  test('timeoutMs can be given per call', async () => {
    const client = new WatchtowerClient({ url: silentUrl, password: 'x', timeoutMs: 60_000 });
    const error = await client.listEvents({}, { timeoutMs: 100 }).catch((e) => e);
    assert.ok(error instanceof RequestTimeoutError, String(error));
    assert.match(error.message, /100 ms/);
  });

  test("the caller's AbortSignal aborts the request with its own reason", async () => {
    const client = new WatchtowerClient({ url: silentUrl, password: 'x', timeoutMs: 60_000 });
    const controller = new AbortController();
    const pending = client.services({ signal: controller.signal }).catch((e) => e);
    controller.abort(new Error('changed my mind'));
    const error = await pending;
    assert.equal(error.message, 'changed my mind');
    assert.equal(error instanceof WatchtowerError, false);
  });

  test('a fast server is not affected by the timeout', async () => {
    const client = new WatchtowerClient({ url: server.url, password: server.password, timeoutMs: 30_000 });
    assert.ok(Array.isArray(await client.services()));
  });
});

describe('options', () => {
  test('a custom fetch is used for every request', async () => {
    const calls = [];
    const client = new WatchtowerClient({
      url: `${server.url}/`,
      password: server.password,
      fetch: (url, init) => {
        calls.push({ url, method: init.method, headers: init.headers });
        return fetch(url, init);
      },
    });
    await client.pulse({ service: 'custom-fetch', nextIn: 30, ...ops });
    await client.listEvents({ service: 'custom-fetch', level: 'info' });
    assert.deepEqual(
      calls.map((c) => [c.method, c.url]),
      [
        ['POST', `${server.url}/`],
        ['GET', `${server.url}/list-events?service=custom-fetch&level=info`],
      ],
    );
    assert.equal(calls[0].headers.password, server.password);
    assert.equal(calls[0].headers['content-type'], 'application/json');
  });

  test('fetchOptions are passed to fetch, headers merged', async () => {
    let seen;
    const client = new WatchtowerClient({
      url: server.url,
      password: server.password,
      fetchOptions: { headers: { 'x-request-from': 'tests' }, keepalive: true },
      fetch: (url, init) => {
        seen = init;
        return fetch(url, init);
      },
    });
    await client.services();
    assert.equal(seen.headers['x-request-from'], 'tests');
    assert.equal(seen.headers.password, server.password);
    assert.equal(seen.keepalive, true);
  });

  test('the constructor checks its options', () => {
    assert.throws(() => new WatchtowerClient({ password: 'x' }), /url/);
    assert.throws(() => new WatchtowerClient({ url: '/relative', password: 'x' }), /absolute/);
    assert.throws(() => new WatchtowerClient({ url: 'http://x' }), /password/);
    assert.throws(() => new WatchtowerClient({ url: 'http://x', password: 'x', timeoutMs: -1 }), /timeoutMs/);
    assert.throws(() => new WatchtowerClient({ url: 'http://x', password: 'x', fetch: 'no' }), /fetch/);
    const client = new WatchtowerClient({ url: 'http://x:1/base///', password: 'x' });
    assert.equal(client.url, 'http://x:1/base');
    assert.equal(client.timeoutMs, 10_000);
  });
});
