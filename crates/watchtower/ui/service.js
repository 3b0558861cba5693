// #/services/NAME: one service — its state (live), uptime over 24 h / 7 d / 30 d
// and per day, its outages, runs, pings, alerts and recent events; edit, pause or
// resume, snooze, test or cancel it, for a scope that may write; its badge, for
// an admin.

import { ApiError, getJson, may } from './api.js';
import { showActivity } from './activity.js';
import { badgeUrls } from './channels.js';
import { eventRows } from './events.js';
import { followServices, prepare, shownStatus } from './feed.js';
import { cancelService, statusBadge } from './services.js';
import { loadSnoozes, snoozeBox, snoozeMark, snoozeOf, wireSnoozeBox } from './snooze.js';
import { uptimeBars } from './uptime.js';
import { ago, announce, countdown, dateTime, duration, esc, percent, serviceHref } from './util.js';

const RECENT_EVENTS = 20;

export function serviceView(root, name) {
  const controller = new AbortController();
  const { signal } = controller;
  let service = null;
  let cancelled = false;
  document.title = `${name} · Watchtower`;

  root.innerHTML = `
    <section class="view" aria-labelledby="service-title">
      <nav class="breadcrumb" aria-label="Breadcrumb"><a href="#/services">Services</a> <span aria-hidden="true">›</span></nav>
      <div class="view-head">
        <h1 id="service-title" class="service-name"></h1>
        <span class="service-status"></span>
        <span class="live-state" data-state="connecting" role="status">connecting…</span>
      </div>
      <p class="error" role="alert" hidden></p>
      <div class="service-facts card"><p class="muted">Loading…</p></div>
      <div class="snooze-box"></div>
      <section aria-labelledby="uptime-title">
        <h2 id="uptime-title">Uptime</h2>
        <div class="uptime-cards"><p class="muted">Loading…</p></div>
        <div class="uptime-days"></div>
      </section>
      <section aria-labelledby="history-title">
        <h2 id="history-title">Status history <span class="muted small">(last 30 days)</span></h2>
        <div class="history"><p class="muted">Loading…</p></div>
      </section>
      <section aria-labelledby="recent-title">
        <div class="section-head">
          <h2 id="recent-title">Recent events</h2>
          <a class="button-link" href="#/events?service=${esc(encodeURIComponent(name))}">All events of this service</a>
        </div>
        <div class="recent"><p class="muted">Loading…</p></div>
      </section>
      <section aria-labelledby="runs-title">
        <h2 id="runs-title">Runs</h2>
        <div class="runs-box"><p class="muted">Loading…</p></div>
      </section>
      <section aria-labelledby="pings-title">
        <h2 id="pings-title">Ping history <span class="muted small">(newest first)</span></h2>
        <div class="pings-box"><p class="muted">Loading…</p></div>
      </section>
      <section aria-labelledby="alerts-title">
        <h2 id="alerts-title">Alerts</h2>
        <div class="alerts-box"><p class="muted">Loading…</p></div>
      </section>
      <section aria-labelledby="badge-title" class="badge-box" hidden>
        <h2 id="badge-title">Status badge</h2>
        <div class="badge-body"></div>
      </section>
    </section>`;
  root.querySelector('.service-name').textContent = name;
  const facts = root.querySelector('.service-facts');
  const statusBox = root.querySelector('.service-status');
  const errorBox = root.querySelector('.error');
  const liveState = root.querySelector('.live-state');
  const snoozeArea = root.querySelector('.snooze-box');
  let snoozes = [];

  /** Sends a test alert along the service's route, and says what came of it. */
  async function testAlert(s) {
    const button = facts.querySelector('[data-test-alert]');
    const result = facts.querySelector('.test-result');
    button.disabled = true;
    result.classList.remove('error');
    result.textContent = 'Sending…';
    try {
      const answer = await getJson('/test-alert', { method: 'POST', body: { alertType: s.alertType, alertTarget: s.alertTarget } });
      const names = answer.delivered.map((d) => `${d.alertType} ${d.alertTarget}`).join(', ');
      result.textContent = `Test alert delivered to ${names}.`;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      result.classList.add('error');
      result.textContent = `Test alert failed: ${error.message}`;
    } finally {
      button.disabled = false;
    }
  }

  /** Pauses the service, or resumes it; the stream brings its new state. */
  async function pauseOrResume(paused) {
    const verb = paused ? 'resume' : 'pause';
    try {
      service = prepare(await getJson(`/services/${encodeURIComponent(name)}/${verb}`, { method: 'POST' }));
      errorBox.hidden = true;
      announce(`${name} ${paused ? 'resumed' : 'paused'}`);
      showFacts();
      facts.querySelector('[data-pause]')?.focus();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      errorBox.hidden = false;
      errorBox.textContent = `Could not ${verb} ${name}: ${error.message}`;
    }
  }

  let snoozeShown = null;
  /** The snooze in force with its End button, or the picker; redrawn only when it changes. */
  function showSnooze() {
    const snooze = service ? snoozeOf(snoozes, name, Date.now()) : null;
    const key = service ? (snooze ? `${snooze.id}:${snooze.untilMs}` : 'none') : 'gone';
    if (key === snoozeShown) return;
    snoozeShown = key;
    snoozeArea.innerHTML = service ? snoozeBox(name, snooze, { canWrite: may('write') }) : '';
    wireSnoozeBox(snoozeArea, name, {
      onChange: refreshSnoozes,
      onError(text) {
        errorBox.hidden = false;
        errorBox.textContent = text;
      },
    });
  }

  async function refreshSnoozes() {
    try {
      snoozes = await loadSnoozes(signal);
    } catch (error) {
      if (error.name === 'AbortError') return;
      snoozes = [];
    }
    showFacts();
  }

  function showFacts() {
    showSnooze();
    if (!service) {
      statusBox.innerHTML = '';
      facts.innerHTML = `<p class="muted">${cancelled ? 'This service was just cancelled: it is no longer monitored.'
        : 'Not monitored: no service of this name is known (it was cancelled, or never pulsed). Its history and events remain.'}</p>`;
      return;
    }
    const now = Date.now();
    const s = service;
    const hadFocus = document.activeElement?.matches?.('.service-facts [data-cancel]');
    statusBox.innerHTML = statusBadge(shownStatus(s, now)) + (s.flappingSince ? ' <span class="badge flapping">flapping</span>' : '')
      + snoozeMark(snoozeOf(snoozes, name, now));
    const rows = [
      ['Last pulse', `<time datetime="${esc(s.lastPulse)}" data-ago="${s.lastPulseMs}">${ago(s.lastPulseMs, now)}</time> <span class="muted">(${esc(dateTime(s.lastPulseMs))})</span>`],
      ['Deadline', `<time class="countdown" datetime="${esc(s.deadline)}" data-deadline="${s.deadlineMs}">${countdown(s.deadlineMs, now, s.status)}</time> <span class="muted">(${esc(dateTime(s.deadlineMs))})</span>`],
      s.schedule
        ? ['Schedule', `<code>${esc(s.schedule)}</code> <span class="muted">(${esc(s.tz ?? 'UTC')})</span>`]
        : ['Pulse interval', `at most ${esc(duration(s.nextIn, { fine: true }))}`],
      ['Alert', `<span class="alert-type">${esc(s.alertType)}</span> <span class="alert-target">${esc(s.alertTarget)}</span>`],
    ];
    if (s.firstSeen) rows.push(['Monitored since', `<time datetime="${esc(s.firstSeen)}">${esc(dateTime(Date.parse(s.firstSeen)))}</time>`]);
    if (s.grace) rows.push(['Grace', `${esc(duration(s.grace, { fine: true }))} past the expected time`]);
    if (s.remindEvery) rows.push(['Reminders', `every ${esc(duration(s.remindEvery))} while dead`]);
    if (s.dependsOn) rows.push(['Depends on', `<a href="${esc(serviceHref(s.dependsOn))}">${esc(s.dependsOn)}</a>`]);
    if (s.flappingSince) rows.push(['Flapping since', esc(dateTime(Date.parse(s.flappingSince)))]);
    const pauseLabel = s.status === 'paused' ? 'Resume' : 'Pause';
    const actions = may('write')
      ? `<div class="facts-actions"><a class="button-link" href="#/services/${esc(encodeURIComponent(name))}/edit" data-edit>Edit…</a>
          <button type="button" data-pause>${pauseLabel}</button>
          <button type="button" data-test-alert>Send a test alert</button>
          <button type="button" class="danger-outline" data-cancel>Cancel monitoring…</button>
          <p class="test-result small" role="status"></p></div>`
      : '';
    facts.innerHTML = `<dl class="facts">${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>${actions}`;
    if (!actions) return;
    facts.querySelector('[data-pause]').addEventListener('click', () => pauseOrResume(s.status === 'paused'));
    facts.querySelector('[data-test-alert]').addEventListener('click', () => testAlert(s));
    facts.querySelector('[data-cancel]').addEventListener('click', () => cancelService(name, () => {
      cancelled = true;
      service = null;
      showFacts();
      root.querySelector('.breadcrumb a').focus();
    }, errorBox));
    if (hadFocus) facts.querySelector('[data-cancel]').focus();
  }

  async function loadHistory() {
    const uptime = root.querySelector('.uptime-cards');
    const history = root.querySelector('.history');
    try {
      const answer = await getJson(`/service-history?service=${encodeURIComponent(name)}`, { signal });
      const windows = [['24h', '24 hours'], ['7d', '7 days'], ['30d', '30 days']];
      uptime.innerHTML = windows.map(([key, label]) => {
        const value = answer.uptime?.[key];
        const meter = typeof value === 'number' ? `<meter min="0" max="1" low="0.99" high="0.999" optimum="1" value="${value}" aria-hidden="true"></meter>` : '';
        return `<div class="card uptime" data-window="${key}"><span class="uptime-label">${label}</span><strong class="uptime-value">${percent(value)}</strong>${meter}</div>`;
      }).join('');
      root.querySelector('.uptime-days').innerHTML = `<p class="muted small">Each UTC day of the last 30, oldest first:</p>${uptimeBars(answer.days, { wide: true })}`;
      const outages = Array.isArray(answer.outages) ? answer.outages : [];
      history.innerHTML = outages.length === 0
        ? '<p class="muted no-outages">No outages in the last 30 days.</p>'
        : `<div class="table-wrap"><table class="data outages">
            <thead><tr><th scope="col">Died</th><th scope="col">Recovered</th><th scope="col">Outage</th></tr></thead>
            <tbody>${outages.map(outageRow).join('')}</tbody></table></div>`;
    } catch (error) {
      if (error.name === 'AbortError') return;
      uptime.innerHTML = '';
      history.innerHTML = error.status === 404
        ? '<p class="muted">No status history: Watchtower does not monitor this service.</p>'
        : `<p class="error">Could not load the status history: ${esc(error.message)}</p>`;
    }
  }

  async function loadEvents() {
    const box = root.querySelector('.recent');
    try {
      const events = await getJson(`/list-events?service=${encodeURIComponent(name)}&limit=${RECENT_EVENTS}`, { signal });
      box.innerHTML = events.length === 0 ? '<p class="muted">No events.</p>'
        : `<div class="table-wrap"><table class="data events-table">
            <thead><tr><th scope="col">Date</th><th scope="col">Level</th><th scope="col">Message</th></tr></thead>
            <tbody>${eventRows(events, { service: false })}</tbody></table></div>`;
    } catch (error) {
      if (error.name !== 'AbortError') box.innerHTML = `<p class="error">Could not load the events: ${esc(error.message)}</p>`;
    }
  }

  function loadActivity() {
    const boxes = {
      runs: root.querySelector('.runs-box'),
      pings: root.querySelector('.pings-box'),
      alerts: root.querySelector('.alerts-box'),
    };
    showActivity(name, boxes, signal).catch(() => {});
  }

  async function loadBadge() {
    if (!may('admin')) return;
    const box = root.querySelector('.badge-box');
    try {
      const urls = await badgeUrls(signal);
      const svg = urls.service(name);
      box.hidden = false;
      box.querySelector('.badge-body').innerHTML = `<p><img class="badge-preview" src="${esc(svg)}" alt="Status badge of ${esc(name)}"></p>
        <p class="muted small">Public to whoever has the URL (no password): for a README or a status page.</p>
        <dl class="facts"><dt>SVG</dt><dd><code class="badge-url">${esc(svg)}</code></dd>
        <dt>shields.io</dt><dd><code>${esc(urls.serviceJson(name))}</code></dd>
        <dt>Markdown</dt><dd><code>${esc(`![${name}](${svg})`)}</code></dd></dl>`;
    } catch (error) {
      if (error.name !== 'AbortError') box.hidden = true;
    }
  }

  function tick() {
    const now = Date.now();
    if (snoozeShown && snoozeShown !== 'none' && snoozeShown !== 'gone' && !snoozeOf(snoozes, name, now)) showFacts();
    for (const cell of root.querySelectorAll('time[data-deadline]')) cell.textContent = countdown(Number(cell.dataset.deadline), now, service?.status);
    for (const cell of root.querySelectorAll('time[data-ago]')) cell.textContent = ago(Number(cell.dataset.ago), now);
    for (const cell of root.querySelectorAll('[data-since]')) cell.textContent = `${duration((now - Number(cell.dataset.since)) / 1000)} so far`;
  }
  const ticker = setInterval(tick, 1000);

  let reloadTimer = null;
  function reloadSoon() {
    clearTimeout(reloadTimer);
    reloadTimer = setTimeout(() => {
      loadHistory();
      loadEvents();
      loadActivity();
    }, 150);
  }
  let activityTimer = null;
  function reloadActivitySoon() {
    clearTimeout(activityTimer);
    activityTimer = setTimeout(loadActivity, 300);
  }
  // Snoozes made elsewhere (another tab, a deploy script) show within a minute.
  const snoozePoll = setInterval(refreshSnoozes, 60_000);
  loadBadge();

  followServices({
    signal,
    onState(state) {
      liveState.dataset.state = state;
      liveState.textContent = state === 'live' ? 'live' : state === 'connecting' ? 'connecting…' : 'reconnecting…';
    },
    onSnapshot(map) {
      service = map.get(name) ?? null;
      showFacts();
      refreshSnoozes();
      loadHistory();
      loadEvents();
      loadActivity();
    },
    onChange(changed, previous) {
      if (changed.service !== name) return;
      service = changed;
      cancelled = false;
      showFacts();
      if (!previous || previous.status !== changed.status) reloadSoon();
      else reloadActivitySoon();
    },
    onCancel(gone) {
      if (gone !== name) return;
      service = null;
      cancelled = true;
      showFacts();
      reloadSoon();
    },
    onError(error) {
      errorBox.hidden = false;
      errorBox.textContent = `Could not load the service: ${error.message}`;
    },
  });

  return {
    close() {
      controller.abort();
      clearInterval(ticker);
      clearTimeout(reloadTimer);
      clearTimeout(activityTimer);
      clearInterval(snoozePoll);
    },
  };
}

function outageRow(outage) {
  const from = Date.parse(outage.from);
  const to = outage.to ? Date.parse(outage.to) : null;
  const recovered = to === null
    ? '<span class="status status-dead"><span class="status-text">still down</span></span>'
    : `<time datetime="${esc(outage.to)}">${esc(dateTime(to))}</time>`;
  const length = to === null
    ? `<span data-since="${from}">${esc(duration(outage.seconds))} so far</span>`
    : esc(duration(outage.seconds, { fine: true }));
  return `<tr class="outage${to === null ? ' ongoing' : ''}"><td data-label="Died"><time datetime="${esc(outage.from)}">${esc(dateTime(from))}</time></td>`
    + `<td data-label="Recovered">${recovered}</td><td data-label="Outage" class="outage-length">${length}</td></tr>`;
}
