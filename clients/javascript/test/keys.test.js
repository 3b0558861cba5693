// API keys against a real server: created with the password, then used in its
// place by clients of their own, each allowed only what its scope and prefix say.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  AuthenticationError,
  ForbiddenError,
  InvalidRequestError,
  NotFoundError,
  WatchtowerClient,
  WatchtowerError,
} from '../watchtower.js';
import { startServer, waitFor } from './helpers.js';

let server;
let admin;

before(async () => {
  server = await startServer();
  admin = new WatchtowerClient({ url: server.url, password: server.password });
});
after(() => server?.stop());

const ops = { alertType: 'webhook', alertTarget: 'ops' };
const rfc3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

/** A client that sends the key's secret in the password's place. */
const clientOf = (key) => new WatchtowerClient({ url: server.url, password: key.secret });

/** The error `promise` rejects with; fails if it resolves. */
async function rejection(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected the call to be refused');
}

describe('whoami', () => {
  test('the password is admin over everything', async () => {
    assert.deepEqual(await admin.whoami(), {
      name: 'password',
      kind: 'password',
      scope: 'admin',
      prefix: null,
      may: ['read', 'ingest', 'write', 'admin'],
    });
  });
});

describe('a read key', () => {
  let key;
  let reader;
  before(async () => {
    key = await admin.createKey({ name: 'reader', scope: 'read' });
    reader = clientOf(key);
  });

  test('createKey answers the key with its secret, once', async () => {
    assert.equal(key.name, 'reader');
    assert.equal(key.scope, 'read');
    assert.equal(key.prefix, null);
    assert.match(key.created, rfc3339);
    assert.equal(key.expires, null);
    assert.equal(key.revoked, null);
    assert.equal(key.lastUsed, null);
    assert.match(key.secret, /^wtk_/);
  });

  test('whoami reports the key', async () => {
    assert.deepEqual(await reader.whoami(), { name: 'reader', kind: 'key', scope: 'read', prefix: null, may: ['read'] });
  });

  test('it lists services and events', async () => {
    await admin.pulse({ service: 'read-visible', nextIn: 60, ...ops });
    const names = (await reader.services()).map((s) => s.service);
    assert.ok(names.includes('read-visible'));
    assert.ok(Array.isArray((await reader.listEvents()).events));
  });

  test('pulsing is a ForbiddenError naming the scope', async () => {
    const error = await rejection(reader.pulse({ service: 'read-pulse', nextIn: 60, ...ops }));
    assert.ok(error instanceof ForbiddenError, String(error));
    assert.ok(error instanceof WatchtowerError);
    assert.equal(error instanceof AuthenticationError, false);
    assert.equal(error.name, 'ForbiddenError');
    assert.equal(error.status, 403);
    assert.equal(error.field, 'scope');
    assert.match(error.message, /^scope: key `reader` has scope `read`; POST \/ needs ingest, write or admin$/);
    assert.deepEqual(error.body, { error: error.message });
  });

  test('adding an event, cancelling, pausing, resuming and managing keys are forbidden too', async () => {
    for (const call of [
      () => reader.addEvent({ service: 'read-visible', level: 'info', message: 'x' }),
      () => reader.cancel('read-visible'),
      () => reader.pause('read-visible'),
      () => reader.resume('read-visible'),
      () => reader.keys(),
      () => reader.createKey({ name: 'escalated', scope: 'admin' }),
    ]) {
      const error = await rejection(call());
      assert.ok(error instanceof ForbiddenError, String(error));
      assert.equal(error.field, 'scope');
    }
  });
});

describe('an ingest key', () => {
  let ingester;
  before(async () => {
    ingester = clientOf(await admin.createKey({ name: 'ingester', scope: 'ingest' }));
  });

  test('whoami reports the key', async () => {
    assert.deepEqual(await ingester.whoami(), { name: 'ingester', kind: 'key', scope: 'ingest', prefix: null, may: ['ingest'] });
  });

  test('it pulses and adds events', async () => {
    const service = await ingester.pulse({ service: 'ingest-pulse', nextIn: 60, ...ops });
    assert.equal(service.service, 'ingest-pulse');
    assert.equal(service.status, 'up');
    const event = await ingester.addEvent({ service: 'ingest-pulse', level: 'info', message: 'from a key' });
    assert.equal(event.message, 'from a key');
  });

  test('listing is a ForbiddenError naming the scope', async () => {
    for (const call of [() => ingester.services(), () => ingester.listEvents()]) {
      const error = await rejection(call());
      assert.ok(error instanceof ForbiddenError, String(error));
      assert.equal(error.status, 403);
      assert.equal(error.field, 'scope');
      assert.match(error.message, /key `ingester` has scope `ingest`; GET \/(list-events)? needs read, write or admin/);
    }
  });

  test('pausing and resuming are ForbiddenErrors naming the scope', async () => {
    await ingester.pulse({ service: 'ingest-pause', nextIn: 60, ...ops });
    for (const [call, action] of [[() => ingester.pause('ingest-pause'), 'pause'], [() => ingester.resume('ingest-pause'), 'resume']]) {
      const error = await rejection(call());
      assert.ok(error instanceof ForbiddenError, String(error));
      assert.equal(error.status, 403);
      assert.equal(error.field, 'scope');
      assert.match(error.message, new RegExp(`key \`ingester\` has scope \`ingest\`; POST /services/\\{name\\}/${action} needs write or admin`));
    }
    assert.equal((await admin.services()).find((s) => s.service === 'ingest-pause').status, 'up');
  });
});

describe('a write key with a prefix', () => {
  let key;
  let teamA;
  before(async () => {
    key = await admin.createKey({ name: 'team-a', scope: 'write', prefix: 'team-a-' });
    teamA = clientOf(key);
  });

  test('whoami reports the scope, the prefix and what the scope allows', async () => {
    assert.equal(key.prefix, 'team-a-');
    assert.deepEqual(await teamA.whoami(), {
      name: 'team-a',
      kind: 'key',
      scope: 'write',
      prefix: 'team-a-',
      may: ['read', 'ingest', 'write'],
    });
  });

  test('it pulses and cancels its own services', async () => {
    assert.equal((await teamA.pulse({ service: 'team-a-x', nextIn: 60, ...ops })).service, 'team-a-x');
    assert.equal((await teamA.cancel('team-a-x')).service, 'team-a-x');
  });

  test('it pauses and resumes its own services', async () => {
    await teamA.pulse({ service: 'team-a-paused', nextIn: 60, ...ops });
    assert.equal((await teamA.pause('team-a-paused')).status, 'paused');
    assert.equal((await teamA.resume('team-a-paused')).status, 'up');
  });

  test("pausing or resuming another team's service is a ForbiddenError naming both", async () => {
    await admin.pulse({ service: 'team-b-paused', nextIn: 60, ...ops });
    for (const call of [() => teamA.pause('team-b-paused'), () => teamA.resume('team-b-paused')]) {
      const error = await rejection(call());
      assert.ok(error instanceof ForbiddenError, String(error));
      assert.equal(error.status, 403);
      assert.match(error.message, /team-a-/);
      assert.match(error.message, /team-b-paused/);
      assert.equal(error.field, 'name');
    }
    assert.equal((await admin.services()).find((s) => s.service === 'team-b-paused').status, 'up');
  });

  test("pulsing another team's service is a ForbiddenError naming both", async () => {
    const error = await rejection(teamA.pulse({ service: 'team-b-x', nextIn: 60, ...ops }));
    assert.ok(error instanceof ForbiddenError, String(error));
    assert.equal(error.status, 403);
    assert.match(error.message, /team-a-/);
    assert.match(error.message, /team-b-x/);
    assert.equal(error.field, 'service');
  });

  test('it manages no keys', async () => {
    const error = await rejection(teamA.keys());
    assert.ok(error instanceof ForbiddenError, String(error));
    assert.match(error.message, /needs admin/);
  });
});

describe('listing and revoking', () => {
  test('keys() lists the key without its secret, and lastUsed is set once it is used', async () => {
    const created = await admin.createKey({ name: 'listed', scope: 'read' });
    const listed = (await admin.keys()).find((k) => k.name === 'listed');
    assert.deepEqual(listed, {
      name: 'listed',
      scope: 'read',
      prefix: null,
      created: created.created,
      expires: null,
      revoked: null,
      lastUsed: null,
    });
    assert.equal('secret' in listed, false);

    await clientOf(created).services();
    // The server records the use in the background, within about a second.
    const used = await waitFor(
      async () => (await admin.keys()).find((k) => k.name === 'listed' && k.lastUsed !== null),
      { timeoutMs: 5000, what: 'lastUsed of the key `listed`' },
    );
    assert.match(used.lastUsed, rfc3339);
    assert.ok(used.lastUsed >= created.created, `${used.lastUsed} < ${created.created}`);
  });

  test('every key is listed, sorted by name, none with a secret', async () => {
    const keys = await admin.keys();
    const names = keys.map((k) => k.name);
    assert.deepEqual(names, [...names].sort());
    for (const name of ['reader', 'ingester', 'team-a']) assert.ok(names.includes(name), name);
    assert.ok(keys.every((k) => !('secret' in k)));
  });

  test('revokeKey answers the revoked key, whose client is then refused', async () => {
    const created = await admin.createKey({ name: 'short-lived', scope: 'ingest' });
    const client = clientOf(created);
    await client.pulse({ service: 'short-lived-service', nextIn: 60, ...ops });

    const revoked = await admin.revokeKey('short-lived');
    assert.equal(revoked.name, 'short-lived');
    assert.equal(revoked.scope, 'ingest');
    assert.match(revoked.revoked, rfc3339);
    assert.equal('secret' in revoked, false);

    // Every node refuses a revoked key within a second.
    const refusal = await waitFor(
      async () => {
        const error = await client.pulse({ service: 'short-lived-service', nextIn: 60, ...ops }).then(() => null, (e) => e);
        return error instanceof AuthenticationError ? error : null;
      },
      { timeoutMs: 5000, what: 'the revoked key to be refused' },
    );
    assert.equal(refusal.status, 401);

    const listed = (await admin.keys()).find((k) => k.name === 'short-lived');
    assert.equal(listed.revoked, revoked.revoked);
  });

  test('revoking a key that is not live is a NotFoundError', async () => {
    const error = await rejection(admin.revokeKey('short-lived-never'));
    assert.ok(error instanceof NotFoundError, String(error));
    assert.equal(error.status, 404);
    assert.match(error.message, /short-lived-never/);
  });

  test('the name is sent encoded, as one path segment', async () => {
    const error = await rejection(admin.revokeKey('not/a key?'));
    assert.ok(error instanceof NotFoundError, String(error));
    assert.match(error.message, /not\/a key\?/);
  });

  test('revokeKey needs a name', async () => {
    await assert.rejects(admin.revokeKey(''), TypeError);
    await assert.rejects(admin.revokeKey(), TypeError);
  });
});

describe('creating', () => {
  test('expiresIn sets when the key stops working', async () => {
    const key = await admin.createKey({ name: 'expiring', scope: 'read', expiresIn: '90d' });
    assert.match(key.expires, rfc3339);
    assert.equal(Date.parse(key.expires) - Date.parse(key.created), 90 * 24 * 3600 * 1000);
  });

  test('absent optional fields are left out of the request, null ones too', async () => {
    const key = await admin.createKey({ name: 'no-extras', scope: 'read', prefix: null, expiresIn: undefined });
    assert.equal(key.prefix, null);
    assert.equal(key.expires, null);
  });

  test('a second live key of one name is refused with 409; after revoking, the name is free', async () => {
    await admin.createKey({ name: 'twice', scope: 'read' });
    const error = await rejection(admin.createKey({ name: 'twice', scope: 'write' }));
    assert.equal(error.constructor, WatchtowerError);
    assert.equal(error.status, 409);
    assert.match(error.message, /live key is named `twice`/);
    assert.deepEqual(error.body, { error: error.message });

    await admin.revokeKey('twice');
    const again = await admin.createKey({ name: 'twice', scope: 'write' });
    assert.equal(again.scope, 'write');
    assert.deepEqual((await clientOf(again).whoami()).may, ['read', 'ingest', 'write']);
  });

  test('an invalid scope is an InvalidRequestError naming scope', async () => {
    const error = await rejection(admin.createKey({ name: 'bad-scope', scope: 'superuser' }));
    assert.ok(error instanceof InvalidRequestError, String(error));
    assert.equal(error.status, 400);
    assert.equal(error.field, 'scope');
    assert.match(error.message, /superuser/);
  });

  test('an invalid expiresIn is an InvalidRequestError naming expiresIn', async () => {
    const error = await rejection(admin.createKey({ name: 'bad-expiry', scope: 'read', expiresIn: 'soon' }));
    assert.ok(error instanceof InvalidRequestError, String(error));
    assert.equal(error.field, 'expiresIn');
  });

  test('a wrong key is an AuthenticationError, like a wrong password', async () => {
    const wrong = new WatchtowerClient({ url: server.url, password: 'wtk_not-a-key-the-server-made' });
    const error = await rejection(wrong.whoami());
    assert.ok(error instanceof AuthenticationError, String(error));
    assert.equal(error.status, 401);
  });
});
