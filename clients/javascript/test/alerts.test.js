// Test alerts against a real server whose webhooks point at small HTTP
// receivers started here: one takes every alert, one answers 503 to every alert.

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';

import {
  ForbiddenError,
  InvalidRequestError,
  RequestTimeoutError,
  ServerUnavailableError,
  WatchtowerClient,
  WatchtowerError,
} from '../watchtower.js';
import { startReceiver, startServer } from './helpers.js';

let hook;
let down;
let server;
let wt;

before(async () => {
  hook = await startReceiver();
  down = await startReceiver({ status: 503 });
  server = await startServer({
    config: {
      // `hook` and `also` reach the receiver that takes alerts, `down` the one that answers 503.
      webhooks: { hook: { url: hook.url }, also: { url: hook.url }, down: { url: down.url } },
      routes: {
        team: [
          { alertType: 'webhook', alertTarget: 'hook' },
          { alertType: 'webhook', alertTarget: 'also' },
        ],
        oncall: [
          { alertType: 'webhook', alertTarget: 'hook' },
          { alertType: 'webhook', alertTarget: 'down' },
        ],
      },
    },
  });
  wt = new WatchtowerClient({ url: server.url, password: server.password });
});
after(async () => {
  await server?.stop();
  await hook?.close();
  await down?.close();
});
// Each test counts only the requests it caused.
beforeEach(() => {
  hook?.received.splice(0);
  down?.received.splice(0);
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

describe('testAlert', () => {
  test('a test alert reaches the webhook once, and says it is a test', async () => {
    const delivered = await wt.testAlert({ alertType: 'webhook', alertTarget: 'hook' });
    assert.deepEqual(delivered, [{ alertType: 'webhook', alertTarget: 'hook' }]);
    assert.equal(hook.received.length, 1, 'the receiver got exactly one request');
    assert.equal(hook.received[0].method, 'POST');
    const alert = JSON.parse(hook.received[0].body);
    assert.equal(alert.kind, 'test');
    assert.equal(alert.service, 'watchtower');
    assert.equal(alert.title, 'Watchtower test alert');
    assert.match(alert.message, /test alert/);
    assert.match(alert.message, /the password asked/);
    assert.equal(down.received.length, 0);
  });

  test('a route is tested channel by channel', async () => {
    const delivered = await wt.testAlert({ alertType: 'route', alertTarget: 'team' });
    assert.deepEqual(delivered, [
      { alertType: 'webhook', alertTarget: 'hook' },
      { alertType: 'webhook', alertTarget: 'also' },
    ]);
    assert.deepEqual(hook.received.map((r) => JSON.parse(r.body).kind), ['test', 'test']);
  });

  test('a channel answering 503 is a ServerUnavailableError naming it, and is tried once', async () => {
    const error = await rejection(wt.testAlert({ alertType: 'webhook', alertTarget: 'down' }));
    assert.ok(error instanceof ServerUnavailableError, `${error}`);
    assert.ok(!(error instanceof RequestTimeoutError));
    assert.equal(error.status, 502);
    assert.ok(error.message.startsWith('alertTarget: not delivered: webhook down: '), error.message);
    assert.match(error.message, /503/);
    assert.equal(error.message, error.body.error, "the message is the server's");
    assert.equal(down.received.length, 1, 'neither the client nor the server retries a test alert');
  });

  test('a route with a refusing channel names that one, and the others get it', async () => {
    const error = await rejection(wt.testAlert({ alertType: 'route', alertTarget: 'oncall' }));
    assert.ok(error instanceof ServerUnavailableError, `${error}`);
    assert.equal(error.status, 502);
    assert.match(error.message, /webhook down: .*503/);
    assert.doesNotMatch(error.message, /webhook hook/);
    assert.equal(hook.received.length, 1);
    assert.equal(down.received.length, 1);
  });

  test('a target the server cannot alert is an InvalidRequestError naming the field', async () => {
    const unknown = await rejection(wt.testAlert({ alertType: 'webhook', alertTarget: 'nowhere' }));
    assert.ok(unknown instanceof InvalidRequestError, `${unknown}`);
    assert.equal(unknown.status, 400);
    assert.equal(unknown.field, 'alertTarget');
    // No mail channel is configured.
    const unconfigured = await rejection(wt.testAlert({ alertType: 'mail', alertTarget: 'ops@example.com' }));
    assert.ok(unconfigured instanceof InvalidRequestError, `${unconfigured}`);
    assert.equal(unconfigured.field, 'alertType');
    assert.equal(hook.received.length + down.received.length, 0);
  });

  // Last: the server may close a connection once it has refused a request whose body it had
  // not yet read, and the client that refused here shares fetch's connection pool.
  test('a read key may not send a test alert', async () => {
    const key = await wt.createKey({ name: 'alert-reader', scope: 'read' });
    const reader = new WatchtowerClient({ url: server.url, password: key.secret });
    const error = await rejection(reader.testAlert({ alertType: 'webhook', alertTarget: 'hook' }));
    assert.ok(error instanceof ForbiddenError, `${error}`);
    assert.ok(error instanceof WatchtowerError);
    assert.equal(error.status, 403);
    assert.equal(hook.received.length, 0);
  });
});
