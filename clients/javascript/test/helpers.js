// Starts a real Watchtower server for a test file, and small test utilities.

import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { WatchtowerClient } from '../watchtower.js';

export const here = dirname(fileURLToPath(import.meta.url));
export const clientDir = resolve(here, '..');
const repoRoot = resolve(clientDir, '..', '..');

export const PASSWORD = 'a-test-password-of-some-length';

/** The server binary: $WATCHTOWER_BIN, else <repo>/target/debug/watchtower. */
export const watchtowerBin = process.env.WATCHTOWER_BIN || join(repoRoot, 'target', 'debug', 'watchtower');

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(prefix = 'watchtower-js-') {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A self-signed certificate for localhost and 127.0.0.1: {cert, key} paths. */
export function makeCertificate(dir) {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', key, '-out', cert],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

/**
 * Starts `watchtower serve` on a free port. Resolves to {url, password, stop()}
 * once the server prints its address. `config` is merged into the server's
 * configuration at its top level (e.g. `{webhooks: {…}, routes: {…}}`; given
 * `webhooks` replace the default `ops`).
 */
export async function startServer({ ssl, cors, config: extra } = {}) {
  if (!existsSync(watchtowerBin)) {
    throw new Error(`no watchtower binary at ${watchtowerBin}: build it (cargo build -p watchtower) or set WATCHTOWER_BIN`);
  }
  const dir = tempDir();
  const config = {
    listen: '127.0.0.1:0',
    dataDir: join(dir, 'data'),
    password: PASSWORD,
    webhooks: { ops: { url: 'http://127.0.0.1:9/hook' } },
  };
  if (ssl) config.ssl = { enabled: true, cert: ssl.cert, key: ssl.key };
  if (cors) config.cors = { origins: cors };
  Object.assign(config, extra);
  const configPath = join(dir, 'config.json');
  writeFileSync(configPath, JSON.stringify(config));

  const child = spawn(watchtowerBin, ['serve', '--config', configPath], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'warn' },
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise((resolveExit) => child.once('exit', (code, signal) => resolveExit({ code, signal })));

  const url = await new Promise((resolveUrl, reject) => {
    let stdout = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`watchtower did not start within 30 s; stderr:\n${stderr}`));
    }, 30_000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const match = /watchtower listening on (https?:\/\/\S+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`watchtower exited (${code ?? signal}) before listening; stderr:\n${stderr}`));
    });
  });
  child.stdout.resume();

  return {
    url,
    password: PASSWORD,
    dir,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(killer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A webhook receiver on a free port of 127.0.0.1: records every request as
 * {method, url, body} in `received`, and answers `status` (200 by default).
 * Resolves to {url, received, close()}.
 */
export async function startReceiver({ status = 200 } = {}) {
  const received = [];
  const server = createHttpServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      received.push({ method: request.method, url: request.url, body });
      const answer = status < 400 ? '{}' : 'unavailable';
      response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) });
      response.end(answer);
    });
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    received,
    close: () => new Promise((done) => {
      server.closeAllConnections?.();
      server.close(done);
    }),
  };
}

/** A TCP port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
export async function unusedPort() {
  const server = createServer();
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address();
  await new Promise((done) => server.close(done));
  return port;
}

/** Waits until `condition()` is truthy, polling every 20 ms, for at most `timeoutMs`. */
export async function waitFor(condition, { timeoutMs = 10_000, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 20));
  }
}

/** Runs `node` on a script file and resolves to {code, signal, stdout, stderr}. */
export function runNode(args, { env = {}, timeoutMs = 30_000, onStdout } = {}) {
  const child = spawn(process.execPath, args, {
    cwd: clientDir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
    onStdout?.(stdout, child);
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const result = new Promise((done, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`node ${args.join(' ')} took over ${timeoutMs} ms; stdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stdout, stderr });
    });
  });
  result.child = child;
  return result;
}

/**
 * A client of `server` that counts the requests it sends: `requests()` says how
 * many so far (to check that a refused call sent none).
 */
export function countingClient(server) {
  let count = 0;
  const client = new WatchtowerClient({
    url: server.url,
    password: server.password,
    fetch: (url, init) => {
      count += 1;
      return fetch(url, init);
    },
  });
  return { client, requests: () => count };
}
