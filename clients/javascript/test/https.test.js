// HTTPS with a self-signed certificate: trusted through NODE_EXTRA_CA_CERTS in a
// child process, refused (as ServerUnavailableError) without it.

import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { ServerUnavailableError, WatchtowerClient } from '../watchtower.js';
import { here, makeCertificate, runNode, startServer, tempDir } from './helpers.js';

let server;
let certDir;
let cert;

before(async () => {
  certDir = tempDir('watchtower-js-tls-');
  ({ cert } = makeCertificate(certDir));
  server = await startServer({ ssl: { cert, key: join(certDir, 'key.pem') } });
});
after(async () => {
  await server?.stop();
  rmSync(certDir, { recursive: true, force: true });
});

const child = join(here, 'fixtures', 'https-child.js');

test('the server speaks HTTPS', () => {
  assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
});

test('NODE_EXTRA_CA_CERTS trusts the self-signed server', async () => {
  const { code, stdout, stderr } = await runNode([child], {
    env: { NODE_EXTRA_CA_CERTS: cert, WT_URL: server.url, WT_PASSWORD: server.password },
  });
  assert.equal(code, 0, `${stdout}\n${stderr}`);
  const result = JSON.parse(stdout.trim().split('\n').pop());
  assert.equal(result.service.service, 'tls-service');
  assert.equal(result.event.message, 'over TLS');
  assert.ok(result.events.some((e) => e.id === result.event.id));
  assert.equal(result.removed.service, 'tls-service');
});

test('without the CA the certificate is refused: ServerUnavailableError naming the cause', async () => {
  const wt = new WatchtowerClient({ url: server.url, password: server.password });
  const error = await wt.services().catch((e) => e);
  assert.ok(error instanceof ServerUnavailableError, String(error));
  assert.match(error.message, /certificate/i);
});

test('the same refusal in a child process without NODE_EXTRA_CA_CERTS', async () => {
  const env = { WT_URL: server.url, WT_PASSWORD: server.password, NODE_EXTRA_CA_CERTS: '' };
  const { code, stdout } = await runNode([child], { env });
  assert.equal(code, 1);
  assert.equal(JSON.parse(stdout.trim()).error, 'ServerUnavailableError');
});
