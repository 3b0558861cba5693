// watchtower.js in headless Chromium, loaded as a plain ES module from a local
// static server that also forwards /api/* to a real Watchtower server, so the
// page calls the API from its own origin. The same calls straight to the
// Watchtower server (another origin) need CORS, which the test reports on.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { chromium } from 'playwright-core';

import { clientDir, here, startServer } from './helpers.js';

const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

let server;
let pages;
let pagesUrl;
let browser;

/** Serves the module and the test page, and forwards /api/* to `target()`. */
function pageServer(target) {
  const files = {
    '/watchtower.js': [join(clientDir, 'watchtower.js'), 'text/javascript; charset=utf-8'],
    '/index.html': [join(here, 'fixtures', 'browser.html'), 'text/html; charset=utf-8'],
  };
  return createServer((req, res) => {
    if (req.url.startsWith('/api/')) {
      const upstream = new URL(target());
      const headers = { ...req.headers, host: upstream.host };
      const forward = httpRequest(
        { hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url.slice('/api'.length), headers },
        (answer) => {
          res.writeHead(answer.statusCode, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', () => res.writeHead(502).end());
      req.pipe(forward);
      return;
    }
    const file = files[req.url === '/' ? '/index.html' : req.url];
    if (!file || req.method !== 'GET') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': file[1], 'cache-control': 'no-store' }).end(readFileSync(file[0]));
  });
}

before(async () => {
  if (!existsSync(chromiumPath)) {
    throw new Error(`no Chromium at ${chromiumPath}: apt-get install chromium, or set CHROMIUM_PATH`);
  }
  pages = pageServer(() => server.url);
  await new Promise((done) => pages.listen(0, '127.0.0.1', done));
  pagesUrl = `http://127.0.0.1:${pages.address().port}`;
  // The page's origin may call the server directly too (cors.origins).
  server = await startServer({ cors: [pagesUrl] });
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  if (pages) await new Promise((done) => pages.close(done));
  await server?.stop();
});

test('the module loads without a bundler and works against a real server', async (t) => {
  const page = await browser.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/CORS|Failed to load resource|ERR_FAILED/.test(message.text())) problems.push(`console: ${message.text()}`);
  });

  await page.goto(`${pagesUrl}/`);
  await page.waitForFunction(() => document.getElementById('status').textContent === 'ready', null, { timeout: 10_000 });
  const out = await page.evaluate((config) => window.runWatchtower(config), {
    apiUrl: '/api',
    directUrl: server.url,
    password: server.password,
  });
  await page.close();
  assert.deepEqual(problems, []);

  for (const name of ['WatchtowerClient', 'Heartbeat', 'WatchtowerError', 'AuthenticationError', 'ForbiddenError', 'InvalidRequestError', 'NotFoundError', 'ServerUnavailableError', 'RequestTimeoutError']) {
    assert.ok(out.exports.includes(name), name);
  }

  assert.equal(out.pulse.service, 'browser-service');
  assert.equal(out.pulse.status, 'up');
  assert.equal(out.pulse.remindEvery, 300);
  assert.ok(out.services.includes('browser-service'));

  const ids = out.added.map((e) => e.id);
  assert.deepEqual(out.firstPage, [ids[4], ids[3]]);
  assert.equal(typeof out.nextCursor, 'string', 'the Link header is readable from the same origin');
  assert.deepEqual(out.pages, [[ids[0], ids[1]], [ids[2], ids[3]], [ids[4]]]);
  assert.deepEqual(out.iterated, [ids[1], ids[3]]);

  assert.deepEqual(out.authError, { name: 'AuthenticationError', isAuth: true, status: 401 });
  assert.deepEqual(out.invalidError, { name: 'InvalidRequestError', isInvalid: true, field: 'nextIn' });
  assert.equal(out.notFound.isNotFound, true);
  assert.match(out.notFound.message, /browser-never-pulsed/);

  assert.ok(out.heartbeatPulses >= 3, `${out.heartbeatPulses} heartbeat pulses`);
  assert.equal(out.heartbeatListed, true);
  assert.equal(out.heartbeatAfterStop, false);
  assert.equal(out.removed, 'browser-service');

  // Cross-origin, straight to the server: allowed by its cors.origins, with Link exposed.
  assert.equal(out.crossOrigin.ok, true, `a cross-origin call failed: ${out.crossOrigin.message}`);
  assert.equal(typeof out.crossOrigin.nextCursor, 'string', 'the Link header is exposed (Access-Control-Expose-Headers: Link)');
});
