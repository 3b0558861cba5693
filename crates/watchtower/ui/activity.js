// A service's activity on its page: its ping history (GET /services/NAME/pings),
// the durations of its runs (the pings that ended one), and its alerts as they
// fared (GET /alerts?service=NAME).

import { getJson } from './api.js';
import { dateTime, duration, esc } from './util.js';

const PINGS = 50;
const ALERTS = 20;

function when(date) {
  return `<time datetime="${esc(date)}">${esc(dateTime(Date.parse(date)))}</time>`;
}

function pingRow(p) {
  const times = p.count > 1 ? ` <span class="badge folded" title="Identical pulses up to ${esc(dateTime(Date.parse(p.lastDate)))}">×${p.count}</span>` : '';
  const took = p.duration !== undefined && p.duration !== null ? esc(duration(p.duration, { fine: true })) : '';
  return `<tr class="ping ping-${esc(p.kind)}"><td data-label="Date">${when(p.date)}${times}</td>`
    + `<td data-label="Kind"><span class="ping-kind kind-${esc(p.kind)}">${esc(p.kind)}</span></td>`
    + `<td data-label="Source">${esc(p.source)}</td>`
    + `<td data-label="Client">${esc(p.client ?? '')}<div class="muted small user-agent">${esc(p.userAgent ?? '')}</div></td>`
    + `<td data-label="Run">${took}</td>`
    + `<td data-label="Body" class="message"><div class="message-text">${esc(p.body ?? '')}</div></td></tr>`;
}

/** The runs among `pings` (newest first): a bar each, as long as its share of the longest. */
function runs(pings) {
  const ended = pings.filter((p) => typeof p.duration === 'number').slice(0, 20);
  if (ended.length === 0) {
    return '<p class="muted">No timed runs: a run is timed from its start (<code>POST /services/NAME/start</code>, <code>watchtower run</code>, or a <code>/start</code> ping) to the pulse or failure that ends it.</p>';
  }
  const longest = Math.max(...ended.map((p) => p.duration), 0.001);
  const total = ended.reduce((sum, p) => sum + p.duration, 0);
  const failed = ended.filter((p) => p.kind === 'fail').length;
  const rows = ended.map((p) => `<li class="run run-${p.kind === 'fail' ? 'failed' : 'ok'}">`
    + `<span class="run-date">${when(p.date)}</span>`
    + `<svg class="run-bar" aria-hidden="true" viewBox="0 0 100 10" preserveAspectRatio="none"><rect width="${Math.max(1, (p.duration / longest) * 100).toFixed(1)}" height="10"></rect></svg>`
    + `<span class="run-took">${esc(duration(p.duration, { fine: true }))}${p.kind === 'fail' ? ' <strong class="warn-text">failed</strong>' : ''}</span></li>`).join('');
  return `<p class="run-summary">${ended.length} run${ended.length === 1 ? '' : 's'}: average ${esc(duration(total / ended.length, { fine: true }))}, longest ${esc(duration(longest, { fine: true }))}${failed ? `, ${failed} failed` : ''}.</p><ol class="runs">${rows}</ol>`;
}

function alertRow(a) {
  const state = a.state === 'pending' && a.lastError ? 'failing' : a.state;
  return `<tr class="alert-row alert-${esc(state)}"><td data-label="Created">${when(a.created)}</td>`
    + `<td data-label="Kind">${esc(a.kind)}</td>`
    + `<td data-label="Channel"><span class="alert-type">${esc(a.alertType)}</span> <span class="alert-target">${esc(a.alertTarget)}</span></td>`
    + `<td data-label="Outcome"><span class="alert-state state-${esc(state)}">${esc(state)}</span></td>`
    + `<td data-label="Attempts">${a.attempts}</td>`
    + `<td data-label="Last error" class="message"><div class="message-text">${esc(a.lastError ?? '')}</div></td></tr>`;
}

/** Loads and draws the three sections into their boxes. */
export async function showActivity(name, boxes, signal) {
  const service = encodeURIComponent(name);
  const [pings, alerts] = await Promise.allSettled([
    getJson(`/services/${service}/pings?limit=${PINGS}`, { signal }),
    getJson(`/alerts?service=${service}&limit=${ALERTS}`, { signal }),
  ]);
  if (signal.aborted) return;
  if (pings.status === 'fulfilled') {
    const list = pings.value;
    boxes.runs.innerHTML = runs(list);
    boxes.pings.innerHTML = list.length === 0
      ? '<p class="muted">No pings kept (<code>pingHistory</code> may be 0).</p>'
      : `<div class="table-wrap"><table class="data pings-table">
          <thead><tr><th scope="col">Date</th><th scope="col">Kind</th><th scope="col">Source</th><th scope="col">Client</th><th scope="col">Run</th><th scope="col">Body</th></tr></thead>
          <tbody>${list.map(pingRow).join('')}</tbody></table></div>`;
  } else {
    const text = pings.reason.status === 404 ? 'No ping history: Watchtower does not monitor this service.' : `Could not load the pings: ${pings.reason.message}`;
    boxes.pings.innerHTML = `<p class="muted">${esc(text)}</p>`;
    boxes.runs.innerHTML = '';
  }
  boxes.alerts.innerHTML = alerts.status === 'fulfilled'
    ? (alerts.value.length === 0 ? '<p class="muted">No alerts.</p>'
      : `<div class="table-wrap"><table class="data alerts-table">
          <thead><tr><th scope="col">Created</th><th scope="col">Kind</th><th scope="col">Channel</th><th scope="col">Outcome</th><th scope="col">Attempts</th><th scope="col">Last error</th></tr></thead>
          <tbody>${alerts.value.map(alertRow).join('')}</tbody></table></div>`)
    : `<p class="error">Could not load the alerts: ${esc(alerts.reason.message)}</p>`;
}
