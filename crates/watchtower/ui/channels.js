// #/channels: what this server can alert and how (GET /channels): each channel
// with the targets it takes, the routes and their steps, the ping keys and what
// they may ping — by name, never a URL, token or key. A scope that may write
// can send a test alert to any target from here; an admin sees the badge URLs.

import { ApiError, getJson, may } from './api.js';
import { esc } from './util.js';

/** What a channel that is not a list of names takes. */
function takes(channel) {
  if (channel.form === 'email') return 'any e-mail address';
  return `text matching <code>${esc(channel.pattern)}</code>`;
}

function channelRows(channels) {
  return channels.map((c) => {
    const targets = c.form === 'named'
      ? c.targets.map((t) => `<li><span class="alert-target">${esc(t)}</span>${testButton(c.alertType, t)}</li>`).join('')
      : `<li>${takes(c)}</li>`;
    return `<tr data-channel="${esc(c.alertType)}"><th scope="row" data-label="Channel"><span class="alert-type">${esc(c.alertType)}</span></th>`
      + `<td data-label="Targets"><ul class="plain-list">${targets}</ul></td></tr>`;
  }).join('');
}

function testButton(type, target) {
  if (!may('write')) return '';
  return ` <button type="button" class="small" data-test data-type="${esc(type)}" data-target="${esc(target)}"
    aria-label="Send a test alert to ${esc(type)} ${esc(target)}">Test</button>`;
}

function routeRows(routes) {
  return routes.map((r) => `<tr data-route="${esc(r.name)}"><th scope="row" data-label="Route">${esc(r.name)}${testButton('route', r.name)}</th>`
    + `<td data-label="Steps"><ol class="plain-list">${r.steps.map((s) => `<li><span class="alert-type">${esc(s.alertType)}</span> <span class="alert-target">${esc(s.alertTarget)}</span></li>`).join('')}</ol></td></tr>`).join('');
}

function pingKeyRows(keys) {
  return keys.map((k) => {
    const scope = [];
    if (k.prefix) scope.push(`services starting with <code>${esc(k.prefix)}</code>`);
    if (k.services.length) scope.push(k.services.map(esc).join(', '));
    const alerts = k.alertType ? `<span class="alert-type">${esc(k.alertType)}</span> <span class="alert-target">${esc(k.alertTarget)}</span>` : '<span class="muted">as each ping says</span>';
    return `<tr data-ping-key="${esc(k.name)}"><th scope="row" data-label="Ping key">${esc(k.name)}</th>`
      + `<td data-label="May ping">${scope.length ? scope.join(' and ') : '<span class="warn-text">any service</span>'}${k.service ? ` <span class="muted">(push URL: ${esc(k.service)})</span>` : ''}</td>`
      + `<td data-label="New services alert">${alerts}</td></tr>`;
  }).join('');
}

function table(caption, head, rows, empty) {
  if (!rows) return `<p class="muted">${empty}</p>`;
  return `<div class="table-wrap"><table class="data"><caption class="visually-hidden">${caption}</caption>
    <thead><tr>${head.map((h) => `<th scope="col">${h}</th>`).join('')}</tr></thead><tbody>${rows}</tbody></table></div>`;
}

export function channelsView(root) {
  const controller = new AbortController();
  const { signal } = controller;
  document.title = 'Channels · Watchtower';
  root.innerHTML = `
    <section class="view" aria-labelledby="channels-title">
      <div class="view-head"><h1 id="channels-title">Channels</h1></div>
      <p class="muted">What this server can alert, from its config: a pulse names one of these as
        <code>alertType</code> and <code>alertTarget</code>. URLs, tokens and keys stay in the config.</p>
      <p class="error" role="alert" hidden></p>
      <p class="test-result" role="status"></p>
      <section aria-labelledby="channel-list-title"><h2 id="channel-list-title">Channels and targets</h2><div class="channel-list"><p class="muted">Loading…</p></div></section>
      <section aria-labelledby="routes-title"><h2 id="routes-title">Routes</h2><div class="route-list"></div></section>
      <section aria-labelledby="ping-keys-title"><h2 id="ping-keys-title">Ping keys</h2><div class="ping-key-list"></div></section>
      <section aria-labelledby="badges-title" class="badge-urls" hidden><h2 id="badges-title">Badge URLs</h2><div class="badge-list"></div></section>
    </section>`;
  const errorBox = root.querySelector('.error');
  const result = root.querySelector('.test-result');

  root.addEventListener('click', async (event) => {
    const button = event.target.closest('[data-test]');
    if (!button) return;
    const { type, target } = button.dataset;
    button.disabled = true;
    result.classList.remove('error');
    result.textContent = `Sending a test alert to ${type} ${target}…`;
    try {
      const answer = await getJson('/test-alert', { method: 'POST', body: { alertType: type, alertTarget: target } });
      result.textContent = `Test alert delivered to ${answer.delivered.map((d) => `${d.alertType} ${d.alertTarget}`).join(', ')}.`;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      result.classList.add('error');
      result.textContent = `Test alert to ${type} ${target} failed: ${error.message}`;
    } finally {
      button.disabled = false;
    }
  });

  (async () => {
    try {
      const answer = await getJson('/channels', { signal });
      root.querySelector('.channel-list').innerHTML = table('Channels', ['Channel', 'Targets'], channelRows(answer.channels),
        'No channel is configured: alerts have nowhere to go. Add one to the config (see the README).');
      root.querySelector('.route-list').innerHTML = table('Routes', ['Route', 'Steps'], routeRows(answer.routes),
        'No route: a route alerts several channels at once (<code>routes</code> in the config).');
      root.querySelector('.ping-key-list').innerHTML = table('Ping keys', ['Ping key', 'May ping', 'New services alert'], pingKeyRows(answer.pingKeys),
        'No ping key: ping URLs (<code>/ping/KEY/SERVICE</code>) need one (<code>pingKeys</code> in the config).');
      if (may('admin')) await showBadges(root.querySelector('.badge-urls'), signal);
    } catch (error) {
      if (error.name === 'AbortError') return;
      errorBox.hidden = false;
      errorBox.textContent = `Could not load the channels: ${error.message}`;
    }
  })();

  return { close() { controller.abort(); } };
}

/** The badge URL shapes (admins): a README embeds them without the password. */
export async function badgeUrls(signal) {
  const answer = await getJson('/badges', { signal });
  const absolute = (path) => new URL(path, location.origin).href;
  return {
    service: (name) => absolute(answer.service.svg.replace('{service}', encodeURIComponent(name))),
    serviceJson: (name) => absolute(answer.service.json.replace('{service}', encodeURIComponent(name))),
    prefix: absolute(answer.prefix.svg),
  };
}

async function showBadges(box, signal) {
  const urls = await badgeUrls(signal);
  box.hidden = false;
  box.querySelector('.badge-list').innerHTML = `<p class="muted">An SVG badge (or shields.io JSON) per service or name prefix, behind a key
    made from the password: anyone with the URL sees the status. Each service's page has its own.</p>
    <dl class="facts"><dt>Per service</dt><dd><code class="badge-url">${esc(urls.service('{service}').replace('%7Bservice%7D', '{service}'))}</code></dd>
    <dt>Per prefix</dt><dd><code class="badge-url">${esc(urls.prefix)}</code></dd></dl>`;
}
