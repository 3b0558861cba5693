// The dashboard's entry point: sign-in, the hash router and the page frame.
// Routes: #/services, #/services/NAME, #/services/NAME/edit and #/new (write),
// #/events?service=…&level=…&from=…&to=…&message=…, #/channels and #/keys (admins). Each view is a function (root, params) → {update?(params), close()}.
// What the signed-in scope may not do is not shown (the server refuses it anyway).

import { ApiError, forgetPassword, identity, loadIdentity, may, onUnauthorized, signIn, storedPassword } from './api.js';
import { channelsView } from './channels.js';
import { declareView } from './declare.js';
import { eventsView } from './events.js';
import { watchDeliveries } from './deliveries.js';
import { keysView } from './keys.js';
import { serviceView } from './service.js';
import { servicesView } from './services.js';

const main = document.getElementById('main');
const top = document.getElementById('top');
const deliveries = watchDeliveries(document.getElementById('delivery-banner'));
/** Whether the deliveries are being watched (from the first signed-in page on). */
let watching = false;

/** The mounted view: its route key ('services', 'service:NAME', 'events') and handle. */
let current = null;

/** Splits the hash into a path and its query parameters. */
function parseHash() {
  const hash = location.hash.startsWith('#') ? location.hash.slice(1) : '';
  const mark = hash.indexOf('?');
  const path = mark < 0 ? hash : hash.slice(0, mark);
  const params = new URLSearchParams(mark < 0 ? '' : hash.slice(mark + 1));
  return { path: path || '/services', params };
}

/** A view that only explains why there is nothing to show. */
function noticeView(root, title, text) {
  root.innerHTML = `<section class="view notice-view" aria-labelledby="notice-title">
    <h1 id="notice-title"></h1><p class="notice"></p></section>`;
  root.querySelector('h1').textContent = title;
  root.querySelector('p').textContent = text;
  document.title = `${title} · Watchtower`;
  return { close() {} };
}

/** `key wall`, `the password`, `user alice`: who, as the page names them. */
function describe(who) {
  return who.kind === 'password' ? 'the password' : `${who.kind} ${who.name}`;
}

/** The mount of a notice for a route the scope does not allow, or null when it allows it. */
function refusal(nav, who) {
  if (nav === 'declare' && !who.may.includes('write')) {
    return (root) => noticeView(root, 'Declaring is for write keys',
      `Signed in with ${describe(who)}, of scope ${who.scope}: declaring and editing services needs a write or admin credential.`);
  }
  if (nav === 'keys' && !who.may.includes('admin')) {
    return (root) => noticeView(root, 'Keys are for admins',
      `Signed in with ${describe(who)}, of scope ${who.scope}: only an admin credential manages API keys.`);
  }
  if (!who.may.includes('read')) {
    return (root) => noticeView(root, 'Nothing to read with this key',
      `Signed in with ${describe(who)}, of scope ${who.scope}: it may send pulses and events, but not read them. `
      + 'Sign out and sign in with a read, write or admin key to see the dashboard.');
  }
  return null;
}

/** A name from the hash, decoded when it can be. */
function decoded(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function resolve({ path, params }) {
  const edit = /^\/services\/(.+)\/edit$/.exec(path);
  if (edit) {
    const name = decoded(edit[1]);
    return { key: `edit:${name}`, nav: 'declare', mount: (root) => declareView(root, name) };
  }
  const service = /^\/services\/(.+)$/.exec(path);
  if (service) {
    const name = decoded(service[1]);
    return { key: `service:${name}`, nav: 'services', mount: (root) => serviceView(root, name) };
  }
  if (path === '/new') return { key: 'new', nav: 'declare', mount: (root) => declareView(root, null) };
  if (path === '/channels') return { key: 'channels', nav: 'channels', mount: (root) => channelsView(root) };
  if (path === '/events') return { key: 'events', nav: 'events', mount: (root) => eventsView(root, params) };
  if (path === '/services') return { key: 'services', nav: 'services', mount: (root) => servicesView(root, params) };
  if (path === '/keys') return { key: 'keys', nav: 'keys', mount: (root) => keysView(root) };
  return null;
}

/** The frame's account corner and the links the scope may follow. */
function showWho(who) {
  const badge = document.getElementById('who');
  const prefix = who.prefix ? ` · ${who.prefix}…` : '';
  badge.textContent = `${describe(who)} · ${who.scope}${prefix}`;
  badge.title = who.prefix
    ? `Signed in with ${describe(who)}: scope ${who.scope}, services whose names start with ${who.prefix}`
    : `Signed in with ${describe(who)}: scope ${who.scope}`;
  top.querySelector('[data-nav="keys"]').hidden = !may('admin');
  for (const link of top.querySelectorAll('[data-nav="services"], [data-nav="events"], [data-nav="channels"]')) link.hidden = !may('read');
}

function unmount() {
  current?.view.close();
  current = null;
}

/** Shows the route of the current hash: updates the mounted view in place when it can. */
function route() {
  if (!storedPassword()) {
    showSignIn();
    return;
  }
  const who = identity();
  if (!who) {
    // A session from before identities were kept: ask once, then route.
    loadIdentity().then(route, (error) => {
      if (!(error instanceof ApiError)) return;
      main.replaceChildren();
      noticeView(main, 'Cannot reach Watchtower', `Could not load who is signed in: ${error.message}.`);
    });
    return;
  }
  const parsed = parseHash();
  const target = resolve(parsed);
  if (!target) {
    location.replace('#/services');
    return;
  }
  const refused = refusal(target.nav, who);
  if (refused) {
    target.key = `refused:${target.key}`;
    target.mount = refused;
  }
  showWho(who);
  top.hidden = false;
  if (!watching) {
    watching = true;
    deliveries.start();
  }
  const highlighted = target.nav === 'declare' ? 'services' : target.nav;
  for (const link of top.querySelectorAll('[data-nav]')) {
    if (link.dataset.nav === highlighted) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (current && current.key === target.key && current.view.update) {
    current.view.update(parsed.params);
    return;
  }
  // After a navigation inside the page, focus moves to the new view (screen readers
  // read it); on the first load it stays at the start of the document.
  const navigated = current !== null;
  unmount();
  main.replaceChildren();
  current = { key: target.key, view: target.mount(main) };
  if (navigated) {
    main.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }
}

/** The sign-in form; `message` explains why it is shown again. */
function showSignIn(message = '') {
  unmount();
  deliveries.stop();
  watching = false;
  top.hidden = true;
  document.title = 'Sign in · Watchtower';
  const form = document.getElementById('sign-in-template').content.firstElementChild.cloneNode(true);
  main.replaceChildren(form);
  const input = form.querySelector('#password');
  const error = form.querySelector('#sign-in-error');
  const button = form.querySelector('button[type=submit]');
  error.textContent = message;
  input.setAttribute('aria-invalid', message ? 'true' : 'false');
  input.focus();
  form.querySelector('form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const password = input.value;
    if (!password) {
      error.textContent = 'Enter the password or an API key.';
      input.focus();
      return;
    }
    button.disabled = true;
    error.textContent = '';
    try {
      if (await signIn(password)) {
        route();
        return;
      }
      error.textContent = 'Wrong password or key: the server refused it. Check the password file in the server\'s data '
        + 'directory, or ask an admin whether the key was revoked or has expired.';
    } catch (failure) {
      error.textContent = failure instanceof ApiError ? `Cannot sign in: ${failure.message}.` : String(failure);
    } finally {
      button.disabled = false;
    }
    input.setAttribute('aria-invalid', 'true');
    input.select();
    input.focus();
  });
}

onUnauthorized(() => {
  forgetPassword();
  showSignIn('The server refused the password or key (it may have changed, been revoked or expired). Sign in again.');
});

document.getElementById('sign-out').addEventListener('click', () => {
  forgetPassword();
  showSignIn();
});

window.addEventListener('hashchange', route);
route();
