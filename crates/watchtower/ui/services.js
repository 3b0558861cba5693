// #/services: every service with its status (and snooze), last pulse, deadline
// (counting down live), alert and 30 days of uptime bars; search, a status filter
// and a sort, mirrored in the URL; a new service, and cancel with confirmation
// (for a scope that may write). Kept current by the services stream.

import { ApiError, getJson, may, request } from './api.js';
import { followServices, lateAt, shownStatus } from './feed.js';
import { loadSnoozes, snoozeMark, snoozeOf } from './snooze.js';
import { daysByService, uptimeBars } from './uptime.js';
import { afterPaint, ago, announce, confirmAction, countdown, dateTime, esc, serviceHref, throttle } from './util.js';

/** The status sort: dead first, then new, up, paused. */
const STATUS_ORDER = { dead: 0, new: 1, late: 2, up: 2, paused: 3 };

const SORTS = {
  name: (a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0),
  status: (a, b) => (STATUS_ORDER[a.status] ?? 2) - (STATUS_ORDER[b.status] ?? 2) || SORTS.name(a, b),
  deadline: (a, b) => a.deadlineMs - b.deadlineMs || SORTS.name(a, b),
  lastPulse: (a, b) => b.lastPulseMs - a.lastPulseMs || SORTS.name(a, b),
};
const STATUSES = ['all', 'up', 'late', 'dead', 'paused', 'new'];
/** Each status's shape, so that colour is never alone. */
const ICONS = { up: '✓', late: '!', dead: '✕', paused: '⏸', new: '○' };

/** The snoozes not over yet, and each service's days of uptime: read now and then. */
let snoozes = [];
let uptimeDays = new Map();

/** The status badge: a colour, a shape and a word. */
export function statusBadge(status) {
  const known = status in ICONS ? status : 'up';
  return `<span class="status status-${known}"><span class="status-icon" aria-hidden="true">${ICONS[known]}</span><span class="status-text">${esc(status)}</span></span>`;
}

function row(s, now) {
  const name = esc(s.service);
  const flapping = s.flappingSince ? ' <span class="badge flapping" title="Flapping since ' + esc(dateTime(Date.parse(s.flappingSince))) + '">flapping</span>' : '';
  const overdue = s.status === 'up' && s.deadlineMs < now ? ' overdue' : '';
  const shown = shownStatus(s, now);
  const late = lateAt(s);
  return `<tr class="service-row row-${shown === 'up' ? 'up' : shown}" data-service="${name}">`
    + `<td data-label="Status"${late !== null && shown === 'up' ? ` data-late-at="${late}"` : ''}>${statusBadge(shown)}${flapping}${snoozeMark(snoozeOf(snoozes, s.service, now))}</td>`
    + `<th scope="row" data-label="Service"><a href="${esc(serviceHref(s.service))}">${name}</a></th>`
    + `<td data-label="Last pulse"><time datetime="${esc(s.lastPulse)}" title="${esc(dateTime(s.lastPulseMs))}" data-ago="${s.lastPulseMs}">${ago(s.lastPulseMs, now)}</time></td>`
    + `<td data-label="Deadline"><time class="countdown${overdue}" datetime="${esc(s.deadline)}" title="${esc(dateTime(s.deadlineMs))}" data-deadline="${s.deadlineMs}">${countdown(s.deadlineMs, now, s.status)}</time></td>`
    + `<td data-label="Alert"><span class="alert-type">${esc(s.alertType)}</span> <span class="alert-target">${esc(s.alertTarget)}</span></td>`
    + `<td data-label="30 days" class="uptime-cell">${uptimeBars(uptimeDays.get(s.service))}</td>`
    + `<td class="actions">${may('write') ? `<button type="button" class="small danger-outline" data-cancel aria-label="Cancel ${name}">Cancel</button>` : ''}</td>`
    + '</tr>';
}

/** The row of `s` as an element. */
function rowElement(s) {
  const template = document.createElement('template');
  template.innerHTML = row(s, Date.now());
  return template.content.firstElementChild;
}

export function servicesView(root, initialParams) {
  const controller = new AbortController();
  let services = new Map();
  let loaded = false;
  let filters = readParams(initialParams);

  root.innerHTML = `
    <section class="view" aria-labelledby="services-title">
      <div class="view-head">
        <h1 id="services-title">Services</h1>
        <p class="summary" id="services-summary">Loading…</p>
        <span class="live-state" data-state="connecting" role="status">connecting…</span>
        ${may('write') ? '<a class="button-link primary-link" href="#/new">New service</a>' : ''}
      </div>
      <form class="toolbar" role="search" aria-label="Filter services">
        <label class="field grow">Search
          <input type="search" name="q" placeholder="Service name or alert target" autocomplete="off">
        </label>
        <fieldset class="segmented">
          <legend>Status</legend>
          <div class="segments">${STATUSES.map((s) => `<label><input type="radio" name="status" value="${s}"><span>${s}</span></label>`).join('')}</div>
        </fieldset>
        <label class="field">Sort by
          <select name="sort">
            <option value="name">Name</option>
            <option value="status">Status (dead first)</option>
            <option value="deadline">Deadline (soonest first)</option>
            <option value="lastPulse">Last pulse (newest first)</option>
          </select>
        </label>
      </form>
      <p class="error" role="alert" hidden></p>
      <div class="table-wrap">
        <table class="data services-table">
          <thead><tr><th scope="col">Status</th><th scope="col">Service</th><th scope="col">Last pulse</th>
            <th scope="col">Deadline</th><th scope="col">Alert</th><th scope="col">30 days</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody></tbody>
        </table>
      </div>
      <p class="empty" hidden></p>
    </section>`;

  const form = root.querySelector('form');
  const tbody = root.querySelector('tbody');
  const summary = root.querySelector('#services-summary');
  const liveState = root.querySelector('.live-state');
  const errorBox = root.querySelector('.error');
  const empty = root.querySelector('.empty');
  let timeCells = null;

  function showFilters() {
    form.q.value = filters.q;
    for (const radio of form.querySelectorAll('input[name=status]')) radio.checked = radio.value === filters.status;
    form.sort.value = filters.sort;
  }
  showFilters();

  function matches(s) {
    if (filters.status !== 'all' && shownStatus(s, Date.now()) !== filters.status) return false;
    if (!filters.q) return true;
    const needle = filters.q.toLowerCase();
    return s.service.toLowerCase().includes(needle) || s.alertTarget.toLowerCase().includes(needle);
  }

  /** Rows shown at once; the rest follow after the first paint. */
  const FIRST_ROWS = 60;
  let generation = 0;
  /** The services shown, in their order on screen. */
  let order = [];
  /** Whether rows of `order` still wait for the next paint. */
  let drawing = false;

  function showSummary() {
    let dead = 0;
    let paused = 0;
    let fresh = 0;
    let snoozed = 0;
    const now = Date.now();
    for (const s of services.values()) {
      if (s.status === 'dead') dead += 1;
      else if (s.status === 'paused') paused += 1;
      else if (s.status === 'new') fresh += 1;
      if (snoozes.length && snoozeOf(snoozes, s.service, now)) snoozed += 1;
    }
    const total = services.size;
    summary.textContent = `${total} service${total === 1 ? '' : 's'}: ${total - dead - paused - fresh} up, ${dead} dead`
      + (paused ? `, ${paused} paused` : '')
      + (fresh ? `, ${fresh} new` : '')
      + (snoozed ? `, ${snoozed} snoozed` : '')
      + (order.length === total ? '' : ` · ${order.length} shown`);
    document.title = `${dead ? `(${dead} dead) ` : ''}Services · Watchtower`;
    empty.hidden = order.length > 0;
    empty.textContent = total === 0
      ? `No services yet. A service appears here with its first pulse (POST /)${may('write') ? ', or declare one with New service' : ''}.`
      : 'No service matches these filters.';
  }

  function rowOf(name) {
    return tbody.querySelector(`tr[data-service="${CSS.escape(name)}"]`);
  }

  function refocus(name) {
    if (name && !tbody.contains(document.activeElement)) rowOf(name)?.querySelector('[data-cancel]')?.focus();
  }

  /**
   * Draws the table anew. `progressive` (a first load, new filters) draws the
   * first screenful at once and the rest after it is painted, so that the first
   * screen does not wait for a thousand rows to be laid out.
   */
  function render({ progressive = false } = {}) {
    if (!loaded) return;
    generation += 1;
    const drawn = generation;
    const now = Date.now();
    order = [...services.values()].filter(matches).sort(SORTS[filters.sort]);
    const focused = document.activeElement?.closest?.('tr[data-service]')?.dataset.service;
    const first = progressive ? order.slice(0, FIRST_ROWS) : order;
    tbody.innerHTML = first.map((s) => row(s, now)).join('');
    timeCells = null;
    refocus(focused);
    showSummary();
    drawing = first.length < order.length;
    const measured = !window.__watchtowerFirstScreen;
    if (measured) performance.mark('services-first-rows');
    afterPaint(() => {
      if (measured) window.__watchtowerFirstScreen = performance.now();
      if (drawn !== generation || !drawing) return;
      drawing = false;
      const later = Date.now();
      tbody.insertAdjacentHTML('beforeend', order.slice(first.length).map((s) => row(s, later)).join(''));
      timeCells = null;
      refocus(focused);
      if (measured) performance.mark('services-all-rows');
    });
  }

  /** Where `service` goes in `order` (a binary search: the sorts are total orders). */
  function placeOf(service) {
    const compare = SORTS[filters.sort];
    let low = 0;
    let high = order.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (compare(order[mid], service) < 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /**
   * A live change: only its row is redrawn, and moved if its place changed, so
   * that a stream of pulses never redraws a thousand rows.
   */
  function change(service, gone = false) {
    if (drawing) {
      // The first paint is still pending: redraw once it is done.
      scheduleRender();
      return;
    }
    const name = service.service;
    const was = order.findIndex((s) => s.service === name);
    if (was >= 0) order.splice(was, 1);
    const existing = rowOf(name);
    const focused = existing?.contains(document.activeElement);
    existing?.remove();
    if (!gone && matches(service)) {
      const at = placeOf(service);
      order.splice(at, 0, service);
      const next = at + 1 < order.length ? rowOf(order[at + 1].service) : null;
      tbody.insertBefore(rowElement(service), next);
      if (focused) refocus(name);
    } else if (focused) {
      form.q.focus();
    }
    timeCells = null;
    showSummary();
  }
  const scheduleRender = throttle(() => render(), 500);

  function tick() {
    const now = Date.now();
    // An up service past its expected time turns late, without a message from the server.
    for (const cell of tbody.querySelectorAll('td[data-late-at]')) {
      if (now < Number(cell.dataset.lateAt)) continue;
      delete cell.dataset.lateAt;
      cell.closest('tr').className = 'service-row row-late';
      cell.querySelector('.status').outerHTML = statusBadge('late');
    }
    timeCells ??= [...tbody.querySelectorAll('time')];
    for (const cell of timeCells) {
      if (cell.dataset.deadline) {
        const deadline = Number(cell.dataset.deadline);
        const row = cell.closest('tr').classList;
        const up = row.contains('row-up') || row.contains('row-late');
        const text = countdown(deadline, now, up ? 'up' : 'dead');
        if (cell.textContent !== text) cell.textContent = text;
        const overdue = deadline < now && up;
        cell.classList.toggle('overdue', overdue);
      } else if (cell.dataset.ago) {
        const text = ago(Number(cell.dataset.ago), now);
        if (cell.textContent !== text) cell.textContent = text;
      }
    }
  }
  const ticker = setInterval(tick, 1000);

  /** Snoozes and uptime bars change slowly: read on the first snapshot, then every minute and five. */
  async function readSnoozes() {
    try {
      snoozes = await loadSnoozes(controller.signal);
      render();
    } catch {
      // The list stays as it is; the next read may succeed.
    }
  }
  async function readUptime() {
    try {
      uptimeDays = daysByService(await getJson('/uptime', { signal: controller.signal }));
      render();
    } catch {
      // As above.
    }
  }
  const slowReads = [setInterval(readSnoozes, 60_000), setInterval(readUptime, 300_000)];

  function mirror() {
    const params = new URLSearchParams();
    if (filters.q) params.set('q', filters.q);
    if (filters.status !== 'all') params.set('status', filters.status);
    if (filters.sort !== 'name') params.set('sort', filters.sort);
    const query = params.toString();
    history.replaceState(null, '', `#/services${query ? `?${query}` : ''}`);
  }

  form.addEventListener('submit', (event) => event.preventDefault());
  form.addEventListener('input', () => {
    filters = {
      q: form.q.value.trim(),
      status: form.querySelector('input[name=status]:checked')?.value ?? 'all',
      sort: form.sort.value,
    };
    mirror();
    render({ progressive: true });
  });

  tbody.addEventListener('click', async (event) => {
    const button = event.target.closest('[data-cancel]');
    if (!button) return;
    const name = button.closest('tr').dataset.service;
    await cancelService(name, () => {
      services.delete(name);
      change({ service: name }, true);
      // The focused button went with its row.
      if (!root.contains(document.activeElement) || document.activeElement === document.body) form.q.focus();
    }, errorBox);
  });

  followServices({
    signal: controller.signal,
    onState(state) {
      liveState.dataset.state = state;
      liveState.textContent = state === 'live' ? 'live' : state === 'connecting' ? 'connecting…' : 'reconnecting…';
    },
    onSnapshot(map) {
      // The first snapshot draws progressively; one after a reconnection keeps the scroll position.
      const first = !loaded;
      services = map;
      loaded = true;
      errorBox.hidden = true;
      render({ progressive: first });
      if (first) {
        readSnoozes();
        readUptime();
      }
    },
    onChange(service, previous) {
      services.set(service.service, service);
      if (previous && previous.status !== service.status) {
        const said = { dead: 'is dead', paused: 'is paused', up: previous.status === 'paused' ? 'is resumed' : 'is up again' };
        announce(`${service.service} ${said[service.status] ?? `is ${service.status}`}`);
      }
      change(service);
    },
    onCancel(name) {
      services.delete(name);
      change({ service: name }, true);
    },
    onError(error) {
      errorBox.hidden = false;
      errorBox.textContent = `Could not load the services: ${error.message}`;
    },
  });

  return {
    update(params) {
      filters = readParams(params);
      showFilters();
      render({ progressive: true });
    },
    close() {
      controller.abort();
      clearInterval(ticker);
      for (const timer of slowReads) clearInterval(timer);
    },
  };
}

function readParams(params) {
  const status = params.get('status');
  const sort = params.get('sort');
  return {
    q: params.get('q') ?? '',
    status: STATUSES.includes(status) ? status : 'all',
    sort: sort in SORTS ? sort : 'name',
  };
}

/** Asks, then cancels `name` (DELETE /); `done` runs once it is gone (or was already). */
export async function cancelService(name, done, errorBox) {
  const sure = await confirmAction({
    title: `Cancel ${name}?`,
    text: `Watchtower stops monitoring ${name}: no alert will go out for it, not even one already queued. Its next pulse would start monitoring it again.`,
    confirm: 'Cancel monitoring',
  });
  if (!sure) return;
  try {
    await request('/', { method: 'DELETE', body: { service: name } });
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404)) {
      if (errorBox) {
        errorBox.hidden = false;
        errorBox.textContent = `Could not cancel ${name}: ${error.message}`;
      }
      return;
    }
  }
  announce(`${name} cancelled`);
  done();
}
