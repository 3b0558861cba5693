// What the dashboard's end-to-end tests share: a real Watchtower server on a
// free port, the JSON API to seed it, headless Chromium, and screenshots.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..');

export const PASSWORD = 'a-test-password-of-some-length';
export const watchtowerBin = process.env.WATCHTOWER_BIN || join(repoRoot, 'target', 'debug', 'watchtower');
export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const screenshotDir = process.env.UI_SCREENSHOTS || join(repoRoot, 'target', 'ui-screenshots');

/**
 * Starts `watchtower serve` on a free port with a fresh data directory, its
 * config the tests' own with `extra`'s keys over it. Resolves to
 * {url, api, stop()} once the server prints its address.
 */
export async function startServer(extra = {}) {
  if (!existsSync(watchtowerBin)) {
    throw new Error(`no watchtower binary at ${watchtowerBin}: build it (cargo build -p watchtower) or set WATCHTOWER_BIN`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'watchtower-ui-'));
  const config = {
    listen: '127.0.0.1:0',
    dataDir: join(dir, 'data'),
    password: PASSWORD,
    webhooks: { ops: { url: 'http://127.0.0.1:9/hook' } },
    alerts: { storm: { enabled: false } },
    ...extra,
  };
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
  const exited = new Promise((done) => child.once('exit', (code, signal) => done({ code, signal })));

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
    api: apiClient(url),
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

/** The JSON API, for seeding and checking what the page did. */
function apiClient(base) {
  async function call(method, path, body) {
    const response = await fetch(base + path, {
      method,
      headers: { password: PASSWORD, 'content-type': 'application/json', accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }
  return {
    call,
    pulse: (service, nextIn = 3600, extra = {}) =>
      call('POST', '/', { service, alertType: 'webhook', alertTarget: 'ops', nextIn, ...extra }),
    services: () => call('GET', '/'),
    addEvents: (events) => call('POST', '/add-events', events),
    listEvents: (query) => call('GET', `/list-events?${new URLSearchParams(query)}`),
    history: (service) => call('GET', `/service-history?service=${encodeURIComponent(service)}`),
  };
}

/** Headless Chromium from Debian's package: never a downloaded browser. */
export async function launchBrowser() {
  if (!existsSync(chromiumPath)) {
    throw new Error(`no Chromium at ${chromiumPath}: apt-get install chromium, or set CHROMIUM_PATH`);
  }
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * A page in a context of its own (its own sessionStorage). With `signedIn`, the
 * password is already in the tab's session, as after signing in. `problems`
 * collects page errors, console errors and requests that left the server's origin.
 */
export async function openPage(browser, server, { signedIn = true, colorScheme = 'light', viewport = { width: 1280, height: 860 } } = {}) {
  const context = await browser.newContext({ colorScheme, viewport, acceptDownloads: true });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    // Chromium logs every API answer of 401 (a wrong password) or 404 (a service
    // not monitored) as a failed resource; the page handles those.
    if (message.type() === 'error' && !/the server responded with a status of 40[14]/.test(message.text())) {
      problems.push(`console: ${message.text()}`);
    }
  });
  page.on('response', (response) => {
    if (response.url().startsWith(`${server.url}/ui/`) && response.status() >= 400) {
      problems.push(`${response.status()} for ${response.url()}`);
    }
  });
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(server.url) && !url.startsWith('blob:') && !url.startsWith('data:')) problems.push(`request elsewhere: ${url}`);
  });
  if (signedIn) {
    await page.addInitScript((password) => sessionStorage.setItem('watchtower.password', password), PASSWORD);
  }
  page.setDefaultTimeout(10_000);
  return { page, context, problems };
}

/** Saves a screenshot (of the whole page, or of the window) as target/ui-screenshots/NAME.png. */
export async function screenshot(page, name, { fullPage = true } = {}) {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path, fullPage });
  return path;
}

/** The row of a service in the services table. */
export function serviceRow(page, name) {
  return page.locator(`tbody tr[data-service="${name.replace(/["\\]/g, '\\$&')}"]`);
}

/** Waits until `condition()` is truthy, polling every 25 ms, for at most `timeoutMs`. */
export async function waitFor(condition, { timeoutMs = 10_000, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 25));
  }
}
