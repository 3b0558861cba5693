// #/keys, for admins: create an API key (its secret is shown once, here, and
// nowhere again), list every key with when it was last used, revoke one.

import { ApiError, getJson, request } from './api.js';
import { announce, confirmAction, dateTime, esc } from './util.js';

const SCOPES = [
  ['read', 'read: every read, the streams; a wall screen'],
  ['ingest', 'ingest: pulses and events only; a cron host or an app'],
  ['write', 'write: ingest, plus cancelling and snoozing'],
  ['admin', 'admin: everything, keys included'],
];

/** `live`, `expired` or `revoked`, as of `now`. */
function state(key, now) {
  if (key.revoked) return 'revoked';
  if (key.expires && Date.parse(key.expires) <= now) return 'expired';
  return 'live';
}

function when(value) {
  if (!value) return '<span class="muted">never</span>';
  return `<time datetime="${esc(value)}">${esc(dateTime(Date.parse(value)))}</time>`;
}

function row(key, now) {
  const name = esc(key.name);
  const status = state(key, now);
  const revoke = status === 'live'
    ? `<button type="button" class="small danger-outline" data-revoke aria-label="Revoke ${name}">Revoke</button>`
    : '';
  return `<tr class="key-row key-${status}" data-key="${name}">`
    + `<th scope="row" data-label="Name">${name}</th>`
    + `<td data-label="Scope"><span class="alert-type">${esc(key.scope)}</span></td>`
    + `<td data-label="Prefix">${key.prefix ? `<code>${esc(key.prefix)}</code>` : '<span class="muted">all services</span>'}</td>`
    + `<td data-label="Created">${when(key.created)}</td>`
    + `<td data-label="Expires">${key.expires ? when(key.expires) : '<span class="muted">when revoked</span>'}</td>`
    + `<td data-label="Last used">${when(key.lastUsed)}</td>`
    + `<td data-label="Status"><span class="key-state key-state-${status}">${status}</span></td>`
    + `<td class="actions">${revoke}</td>`
    + '</tr>';
}

export function keysView(root) {
  const controller = new AbortController();
  document.title = 'Keys · Watchtower';
  root.innerHTML = `
    <section class="view" aria-labelledby="keys-title">
      <div class="view-head">
        <h1 id="keys-title">API keys</h1>
        <p class="summary" id="keys-summary">Loading…</p>
      </div>
      <form class="card key-form" aria-labelledby="new-key-title" novalidate>
        <h2 id="new-key-title">New key</h2>
        <div class="toolbar">
          <label class="field">Name
            <input name="name" required maxlength="64" autocomplete="off" placeholder="nas-backup"
              aria-describedby="key-name-hint">
          </label>
          <label class="field grow">Scope
            <select name="scope">${SCOPES.map(([value, text]) => `<option value="${value}">${esc(text)}</option>`).join('')}</select>
          </label>
          <label class="field">Prefix (optional)
            <input name="prefix" autocomplete="off" placeholder="team-a-">
          </label>
          <label class="field">Expires after (optional)
            <input name="expiresIn" autocomplete="off" placeholder="90d">
          </label>
          <div class="form-buttons"><button type="submit" class="primary">Create key</button></div>
        </div>
        <p class="hint muted small" id="key-name-hint">A name of letters, digits, <code>-</code>, <code>_</code> or
          <code>.</code>. A prefix limits the key to services whose names start with it.</p>
        <p class="error" id="key-form-error" role="alert"></p>
      </form>
      <section class="card secret-box" aria-labelledby="secret-title" hidden>
        <h2 id="secret-title"></h2>
        <p>Copy its secret now: it is shown this once, and Watchtower keeps only its hash.</p>
        <div class="secret-row">
          <input id="new-secret" readonly aria-label="The new key's secret" spellcheck="false">
          <button type="button" data-copy>Copy</button>
          <button type="button" data-done>Done</button>
        </div>
      </section>
      <p class="error" id="keys-error" role="alert" hidden></p>
      <div class="table-wrap">
        <table class="data keys-table">
          <thead><tr><th scope="col">Name</th><th scope="col">Scope</th><th scope="col">Prefix</th>
            <th scope="col">Created</th><th scope="col">Expires</th><th scope="col">Last used</th>
            <th scope="col">Status</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody></tbody>
        </table>
      </div>
    </section>`;
  const form = root.querySelector('form');
  const fields = {
    name: form.querySelector('[name="name"]'),
    scope: form.querySelector('[name="scope"]'),
    prefix: form.querySelector('[name="prefix"]'),
    expiresIn: form.querySelector('[name="expiresIn"]'),
  };
  const formError = root.querySelector('#key-form-error');
  const secretBox = root.querySelector('.secret-box');
  const listError = root.querySelector('#keys-error');
  const tbody = root.querySelector('tbody');
  const summary = root.querySelector('#keys-summary');

  async function load() {
    try {
      const keys = await getJson('/keys', { signal: controller.signal });
      const now = Date.now();
      const live = keys.filter((key) => state(key, now) === 'live').length;
      summary.textContent = `${live} live, ${keys.length - live} revoked or expired`;
      tbody.innerHTML = keys.length > 0 ? keys.map((key) => row(key, now)).join('')
        : '<tr><td colspan="8" class="empty">No keys yet: the password is the only credential.</td></tr>';
      listError.hidden = true;
    } catch (error) {
      if (error.name === 'AbortError') return;
      listError.hidden = false;
      listError.textContent = `Could not load the keys: ${error.message}`;
    }
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    for (const input of form.querySelectorAll('input')) input.removeAttribute('aria-invalid');
    formError.textContent = '';
    const body = { name: fields.name.value.trim(), scope: fields.scope.value };
    if (!body.name) {
      formError.textContent = 'name: give the key a name.';
      fields.name.setAttribute('aria-invalid', 'true');
      fields.name.focus();
      return;
    }
    // Absent, not empty: the API refuses null and empty values alike.
    if (fields.prefix.value.trim()) body.prefix = fields.prefix.value.trim();
    if (fields.expiresIn.value.trim()) body.expiresIn = fields.expiresIn.value.trim();
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const created = await getJson('/keys', { method: 'POST', body });
      form.reset();
      showSecret(created);
      await load();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      formError.textContent = error.message;
      const field = /^(\w+):/.exec(error.message)?.[1];
      const input = fields[field === 'expires' ? 'expiresIn' : field];
      input?.setAttribute('aria-invalid', 'true');
      input?.focus();
    } finally {
      button.disabled = false;
    }
  });

  function showSecret(created) {
    secretBox.hidden = false;
    secretBox.querySelector('h2').textContent = `Key ${created.name} created (scope ${created.scope})`;
    const secret = secretBox.querySelector('#new-secret');
    secret.value = created.secret;
    secret.focus();
    secret.select();
    announce(`Key ${created.name} created; its secret is selected, copy it now`);
  }

  secretBox.querySelector('[data-copy]').addEventListener('click', async (event) => {
    const secret = secretBox.querySelector('#new-secret');
    try {
      await navigator.clipboard.writeText(secret.value);
      event.target.textContent = 'Copied';
    } catch {
      // No clipboard permission (plain HTTP, say): leave it selected to copy by hand.
      secret.select();
      event.target.textContent = 'Select and copy';
    }
  });

  secretBox.querySelector('[data-done]').addEventListener('click', () => {
    // The secret leaves the page: nothing here can show it again.
    secretBox.querySelector('#new-secret').value = '';
    secretBox.querySelector('[data-copy]').textContent = 'Copy';
    secretBox.hidden = true;
    fields.name.focus();
  });

  tbody.addEventListener('click', async (event) => {
    const button = event.target.closest('[data-revoke]');
    if (!button) return;
    const name = button.closest('tr').dataset.key;
    const sure = await confirmAction({
      title: `Revoke ${name}?`,
      text: `Every Watchtower node refuses the key ${name} within a second. What uses it stops working, and it cannot be restored: create a new key instead.`,
      confirm: 'Revoke the key',
    });
    if (!sure) return;
    try {
      await request(`/keys/${encodeURIComponent(name)}`, { method: 'DELETE' });
      announce(`Key ${name} revoked`);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      listError.hidden = false;
      listError.textContent = `Could not revoke ${name}: ${error.message}`;
    }
    await load();
    fields.name.focus();
  });

  load();
  return {
    close() {
      controller.abort();
    },
  };
}
