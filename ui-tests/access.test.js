// Signing in with API keys of each scope: the page says who is signed in, shows
// only what the scope may do (and so never makes a call the server would refuse
// with 403), and gives admins a Keys page that shows a new secret once.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { PASSWORD, launchBrowser, openPage, screenshot, serviceRow, startServer, waitFor } from './helpers.js';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  for (const name of ['backup', 'team-a-web', 'team-a-db', 'team-b-api']) await server.api.pulse(name, 3600);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** A key made through the API with the password; resolves to its secret. */
async function createKey(body) {
  return (await server.api.call('POST', '/keys', body)).secret;
}

/** Opens the dashboard signed out and signs in through the form with `credential`. */
async function signInWith(credential) {
  const opened = await openPage(browser, server, { signedIn: false });
  const { page } = opened;
  await page.goto(`${server.url}/ui/`);
  await page.getByLabel('Password or API key').fill(credential);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#who').filter({ hasText: /\S/ }).waitFor();
  return opened;
}

test('an admin creates a key, sees its secret once, lists it and revokes it', async () => {
  const { page, context, problems } = await signInWith(PASSWORD);
  assert.equal(await page.locator('#who').textContent(), 'the password · admin');
  await page.getByRole('link', { name: 'Keys' }).click();
  await page.getByRole('heading', { name: 'API keys' }).waitFor();
  await page.locator('.empty').filter({ hasText: 'No keys yet' }).waitFor();

  const form = page.locator('form.key-form');
  await form.getByLabel('Name').fill('wall');
  await form.getByLabel('Scope').selectOption('read');
  await form.getByRole('button', { name: 'Create key' }).click();
  const secret = page.getByLabel("The new key's secret");
  await page.getByRole('heading', { name: 'Key wall created (scope read)' }).waitFor();
  const shown = await secret.inputValue();
  assert.match(shown, /^wtk_[A-Za-z0-9_-]{43}$/);
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'new-secret', 'the secret is focused to copy');
  await page.locator('tr[data-key="wall"] .key-state').filter({ hasText: 'live' }).waitFor();
  await screenshot(page, 'keys-created');

  // The secret works as a credential, and leaves the page for good on Done.
  const check = await fetch(`${server.url}/whoami`, { headers: { authorization: `Bearer ${shown}` } });
  assert.equal((await check.json()).name, 'wall');
  await page.getByRole('button', { name: 'Done' }).click();
  assert.equal(await page.locator('.secret-box').isHidden(), true);
  assert.equal(await page.locator('body').evaluate((body, s) => body.innerHTML.includes(s), shown), false);
  await page.reload();
  await page.locator('tr[data-key="wall"]').waitFor();
  assert.equal(await page.locator('body').evaluate((body, s) => body.innerHTML.includes(s), shown), false);

  // The server's refusals name the field, which is marked.
  await form.getByLabel('Name').fill('wall');
  await form.getByRole('button', { name: 'Create key' }).click();
  await page.locator('#key-form-error').filter({ hasText: 'a live key is named `wall`' }).waitFor();
  await form.getByLabel('Name').fill('root');
  await form.getByLabel('Scope').selectOption('admin');
  await form.getByLabel('Prefix (optional)').fill('team-a-');
  await form.getByRole('button', { name: 'Create key' }).click();
  await page.locator('#key-form-error').filter({ hasText: /^prefix: / }).waitFor();
  assert.equal(await form.getByLabel('Prefix (optional)').getAttribute('aria-invalid'), 'true');

  await form.getByLabel('Scope').selectOption('write');
  await form.getByLabel('Name').fill('team-a');
  await form.getByLabel('Expires after (optional)').fill('90d');
  await form.getByRole('button', { name: 'Create key' }).click();
  await page.getByRole('heading', { name: 'Key team-a created (scope write)' }).waitFor();
  const teamRow = page.locator('tr[data-key="team-a"]');
  await teamRow.locator('code').filter({ hasText: 'team-a-' }).waitFor();
  assert.doesNotMatch(await teamRow.locator('td[data-label="Expires"]').textContent(), /when revoked/);

  // Revoking asks first; "Keep it" keeps it.
  await teamRow.getByRole('button', { name: 'Revoke team-a' }).click();
  await page.getByRole('button', { name: 'Keep it' }).click();
  assert.equal(await teamRow.locator('.key-state').textContent(), 'live');
  await teamRow.getByRole('button', { name: 'Revoke team-a' }).click();
  await page.getByRole('button', { name: 'Revoke the key' }).click();
  await teamRow.locator('.key-state').filter({ hasText: 'revoked' }).waitFor();
  assert.equal(await teamRow.getByRole('button').count(), 0, 'a revoked key has nothing to revoke');
  const listed = await server.api.call('GET', '/keys');
  assert.ok(listed.find((key) => key.name === 'team-a').revoked);
  await screenshot(page, 'keys-revoked');

  await context.close();
  // The two refusals above were asked for; Chromium logs each as a failed load.
  const unexpected = problems.filter((problem) => !/status of (409 \(Conflict\)|422 \(Unprocessable Entity\))$/.test(problem));
  assert.deepEqual(unexpected, []);
});

test('a read key makes a wall screen: it reads everything and shows no action', async () => {
  const secret = await createKey({ name: 'wall-screen', scope: 'read' });
  const { page, context, problems } = await signInWith(secret);
  assert.equal(await page.locator('#who').textContent(), 'key wall-screen · read');
  await serviceRow(page, 'team-b-api').waitFor();
  assert.equal(await page.locator('[data-cancel]').count(), 0, 'no Cancel buttons');
  assert.equal(await page.getByRole('link', { name: 'Keys' }).count(), 0, 'no Keys link');
  await screenshot(page, 'read-key-services');

  await serviceRow(page, 'backup').getByRole('link', { name: 'backup' }).click();
  await page.getByRole('heading', { name: 'backup' }).waitFor();
  await page.locator('.service-facts dl').waitFor();
  assert.equal(await page.getByRole('button', { name: /Cancel monitoring/ }).count(), 0);

  await page.goto(`${server.url}/ui/#/keys`);
  await page.getByRole('heading', { name: 'Keys are for admins' }).waitFor();
  assert.match(await page.locator('.notice').textContent(), /key wall-screen, of scope read/);

  await page.getByRole('link', { name: 'Events' }).click();
  await page.getByRole('heading', { name: 'Events' }).waitFor();

  // The sign-in is in the audit trail, and the key's last use is known.
  const trail = await server.api.listEvents({ service: 'watchtower', message: 'wall-screen` from' });
  assert.deepEqual(trail.map((event) => event.message),
    ['key `wall-screen` from 127.0.0.1 signed in to the dashboard (scope read)']);
  await waitFor(async () => (await server.api.call('GET', '/keys')).find((key) => key.name === 'wall-screen').lastUsed,
    { what: 'the key\'s last use to be recorded' });

  await context.close();
  assert.deepEqual(problems, []);
});

test('a write key with a prefix sees and cancels only its own services', async () => {
  const secret = await createKey({ name: 'team-a-ops', scope: 'write', prefix: 'team-a-' });
  const { page, context, problems } = await signInWith(secret);
  assert.equal(await page.locator('#who').textContent(), 'key team-a-ops · write · team-a-…');
  await serviceRow(page, 'team-a-web').waitFor();
  const names = await page.locator('tbody tr[data-service]').evaluateAll((rows) => rows.map((r) => r.dataset.service));
  assert.deepEqual(names.sort(), ['team-a-db', 'team-a-web']);
  assert.equal(await page.getByRole('link', { name: 'Keys' }).count(), 0);

  await serviceRow(page, 'team-a-db').getByRole('button', { name: 'Cancel team-a-db' }).click();
  await page.getByRole('button', { name: 'Cancel monitoring' }).click();
  await serviceRow(page, 'team-a-db').waitFor({ state: 'detached' });
  const left = (await server.api.services()).map((service) => service.service);
  assert.ok(!left.includes('team-a-db') && left.includes('team-b-api'), left.join(', '));

  await context.close();
  assert.deepEqual(problems, []);
});

test('an ingest key signs in to a page that says it may only send, and reads nothing', async () => {
  const secret = await createKey({ name: 'cron-host', scope: 'ingest' });
  const { page, context, problems } = await openPage(browser, server, { signedIn: false });
  const forbidden = [];
  page.on('response', (response) => {
    if (response.status() === 403) forbidden.push(response.url());
  });
  await page.goto(`${server.url}/ui/#/events`);
  await page.getByLabel('Password or API key').fill(secret);
  await page.getByLabel('Password or API key').press('Enter');
  await page.getByRole('heading', { name: 'Nothing to read with this key' }).waitFor();
  assert.equal(await page.locator('#who').textContent(), 'key cron-host · ingest');
  assert.equal(await page.getByRole('link', { name: 'Services', exact: true }).count(), 0);
  assert.equal(await page.getByRole('link', { name: 'Events' }).count(), 0);
  await page.goto(`${server.url}/ui/#/services/backup`);
  await page.getByRole('heading', { name: 'Nothing to read with this key' }).waitFor();
  await screenshot(page, 'ingest-key');
  assert.deepEqual(forbidden, [], 'the page asked for nothing the key may not read');

  await context.close();
  assert.deepEqual(problems, []);
});
