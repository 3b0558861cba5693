// Signing in: a browser at / is sent to /ui/; a wrong password is refused with a
// clear message; the right one is kept for the tab's session only.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { PASSWORD, launchBrowser, openPage, screenshot, startServer } from './helpers.js';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  await server.api.pulse('backup', 3600);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('a wrong password is refused with a clear message, then the right one signs in for the session', async () => {
  const { page, context, problems } = await openPage(browser, server, { signedIn: false });

  // A browser asks for HTML at /: the server redirects it to the dashboard.
  await page.goto(`${server.url}/`);
  assert.equal(new URL(page.url()).pathname, '/ui/');
  const password = page.getByLabel('Password');
  await password.waitFor();
  assert.equal(await page.title(), 'Sign in · Watchtower');
  await screenshot(page, 'sign-in');

  await password.fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const error = page.locator('#sign-in-error');
  await error.filter({ hasText: 'Wrong password' }).waitFor();
  assert.equal(await password.getAttribute('aria-invalid'), 'true');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('watchtower.password')), null);
  await screenshot(page, 'sign-in-wrong-password');

  // The keyboard alone signs in: type, Enter.
  await password.fill(PASSWORD);
  await password.press('Enter');
  await page.getByRole('heading', { name: 'Services' }).waitFor();
  await page.locator('tbody tr[data-service="backup"]').waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem('watchtower.password')), PASSWORD);
  assert.equal(await page.evaluate(() => document.cookie), '', 'no cookie is set');

  // A reload keeps the session; the route is in the URL.
  await page.reload();
  await page.locator('tbody tr[data-service="backup"]').waitFor();
  assert.match(page.url(), /\/ui\/(#\/services)?$/);

  // Another tab (another session) must sign in again.
  const other = await context.newPage();
  await other.goto(`${server.url}/ui/`);
  await other.getByLabel('Password').waitFor();
  await other.close();

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('Password').waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem('watchtower.password')), null);

  await context.close();
  assert.deepEqual(problems, []);
});

test('a password that stops working mid-session sends the user back to sign in, saying why', async () => {
  const { page, context, problems } = await openPage(browser, server, { signedIn: false });
  await page.goto(`${server.url}/ui/#/services`);
  await page.evaluate(() => sessionStorage.setItem('watchtower.password', 'an-old-password'));
  await page.reload();
  await page.locator('#sign-in-error').filter({ hasText: 'refused the password' }).waitFor();
  await context.close();
  assert.deepEqual(problems, []);
});
