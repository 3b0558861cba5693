// The dashboard's entry point: sign-in, the hash router and the page frame.
// Routes: #/services, #/services/NAME and #/events?service=…&level=…&from=…&to=…&message=…
// Each view is a function (root, params) → {update?(params), close()}.

import { ApiError, checkPassword, forgetPassword, onUnauthorized, storePassword, storedPassword } from './api.js';
import { eventsView } from './events.js';
import { serviceView } from './service.js';
import { servicesView } from './services.js';

const main = document.getElementById('main');
const top = document.getElementById('top');

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

function resolve({ path, params }) {
  const service = /^\/services\/(.+)$/.exec(path);
  if (service) {
    let name;
    try {
      name = decodeURIComponent(service[1]);
    } catch {
      name = service[1];
    }
    return { key: `service:${name}`, nav: 'services', mount: (root) => serviceView(root, name) };
  }
  if (path === '/events') return { key: 'events', nav: 'events', mount: (root) => eventsView(root, params) };
  if (path === '/services') return { key: 'services', nav: 'services', mount: (root) => servicesView(root, params) };
  return null;
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
  const parsed = parseHash();
  const target = resolve(parsed);
  if (!target) {
    location.replace('#/services');
    return;
  }
  top.hidden = false;
  for (const link of top.querySelectorAll('[data-nav]')) {
    if (link.dataset.nav === target.nav) link.setAttribute('aria-current', 'page');
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
      error.textContent = 'Enter the password.';
      input.focus();
      return;
    }
    button.disabled = true;
    error.textContent = '';
    try {
      if (await checkPassword(password)) {
        storePassword(password);
        route();
        return;
      }
      error.textContent = 'Wrong password: the server refused it. Check the password file in the server\'s data directory.';
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
  showSignIn('The server refused the password (it may have changed). Sign in again.');
});

document.getElementById('sign-out').addEventListener('click', () => {
  forgetPassword();
  showSignIn();
});

window.addEventListener('hashchange', route);
route();
