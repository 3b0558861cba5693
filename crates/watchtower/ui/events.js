// #/events?service=…&level=…&from=…&to=…&message=…&attr.NAME=…: the filtered
// event log, newest first, a page at a time following the API's cursors
// (infinite scroll, or the Load more button); a stacked chart per level; a live
// tail; exports. An event's attributes show as chips: a click filters by one.

import { download, follow, getJson, getPage } from './api.js';
import { bucketFor, LEVELS, renderChart } from './chart.js';
import { dateTime, esc, fromLocalInput, logTime, parseApiDate, serviceHref, toLocalInput } from './util.js';

const FILTERS = ['service', 'level', 'from', 'to', 'message'];
const PAGE = 100;
const LONG_MESSAGE = 300;
const ATTR = 'attr.';

/** An attribute's value as the API's `attr.NAME=VALUE` filter compares it. */
function attributeText(value) {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * An event's attributes, each a link to the events that have it (of `service`
 * when given); the events view turns a click into one more filter instead.
 */
function attributeChips(attributes, service) {
  const names = Object.keys(attributes ?? {});
  if (names.length === 0) return '';
  return `<ul class="attributes" aria-label="Attributes">${names.map((name) => {
    const value = attributeText(attributes[name]);
    const query = new URLSearchParams(service ? { service } : {});
    query.set(ATTR + name, value);
    const href = `#/events?${query}`;
    return `<li><a class="attr" href="${esc(href)}" data-name="${esc(name)}" data-value="${esc(value)}" `
      + `title="Show the events with ${esc(name)}=${esc(value)}"><span class="attr-name">${esc(name)}</span>=${esc(value)}</a></li>`;
  }).join('')}</ul>`;
}

/** Table rows for events; `service: false` leaves the service column out. */
export function eventRows(events, { service = true, fresh = false } = {}) {
  return events.map((e) => {
    const level = LEVELS.includes(e.level) ? e.level : 'info';
    const ms = Date.parse(e.date);
    const long = e.message.length > LONG_MESSAGE ? ' tabindex="0"' : '';
    return `<tr class="event ev-${level}${fresh ? ' fresh' : ''}" data-id="${esc(e.id)}">`
      + `<td data-label="Date" class="nowrap"><time datetime="${esc(e.date)}" title="${esc(dateTime(ms))}">${esc(logTime(ms))}</time></td>`
      + (service ? `<td data-label="Service"><a href="${esc(serviceHref(e.service))}">${esc(e.service)}</a></td>` : '')
      + `<td data-label="Level"><span class="level level-${level}">${esc(e.level)}</span></td>`
      + `<td data-label="Message" class="message"><div class="message-text"${long}>${esc(e.message)}</div>${attributeChips(e.attributes, service ? '' : e.service)}</td></tr>`;
  }).join('');
}

function readFilters(params) {
  const filters = { attrs: [] };
  for (const key of FILTERS) filters[key] = (params.get(key) ?? '').trim();
  for (const [key, value] of params) {
    const name = key.startsWith(ATTR) ? key.slice(ATTR.length) : '';
    if (name && !filters.attrs.some(([seen]) => seen === name)) filters.attrs.push([name, value]);
  }
  if (filters.level && !LEVELS.includes(filters.level.toLowerCase()) && filters.level.toLowerCase() !== 'warn') filters.level = '';
  return { filters, tail: params.get('tail') === '1' };
}

/** The API query of the filters: only those that are set, and every attribute. */
function apiQuery(filters, keys = FILTERS) {
  const query = new URLSearchParams();
  for (const key of keys) if (filters[key]) query.set(key, filters[key]);
  for (const [name, value] of filters.attrs) query.append(ATTR + name, value);
  return query;
}

/** The filters with one attribute set to `value` (or left out, when `value` is null). */
function withAttribute(filters, name, value) {
  const attrs = filters.attrs.filter(([seen]) => seen !== name);
  if (value !== null) attrs.push([name, value]);
  return { ...filters, attrs };
}

function hashOf(filters, tail) {
  const query = apiQuery(filters);
  if (tail) query.set('tail', '1');
  const text = query.toString();
  return `#/events${text ? `?${text}` : ''}`;
}

export function eventsView(root, initialParams) {
  let { filters, tail } = readFilters(initialParams);
  let load = null; // {controller, next, loading, count}
  let tailController = null;
  let lastStats = null;
  let chartTimer = null;
  document.title = 'Events · Watchtower';

  root.innerHTML = `
    <section class="view" aria-labelledby="events-title">
      <div class="view-head">
        <h1 id="events-title">Events</h1>
        <div class="head-actions">
          <button type="button" class="toggle" id="tail-toggle" aria-pressed="false">Live tail</button>
          <span class="live-state" data-state="off" role="status" hidden></span>
          <button type="button" data-export="csv">Export CSV</button>
          <button type="button" data-export="ndjson">Export NDJSON</button>
        </div>
      </div>
      <form class="toolbar filters" role="search" aria-label="Filter events">
        <label class="field">Service
          <input name="service" list="service-names" autocomplete="off" spellcheck="false" placeholder="any">
        </label>
        <datalist id="service-names"></datalist>
        <label class="field">Level (at least)
          <select name="level"><option value="">any</option>${LEVELS.map((l) => `<option value="${l}">${l}</option>`).join('')}</select>
        </label>
        <label class="field">From <input type="datetime-local" name="from" step="1"></label>
        <label class="field">To <input type="datetime-local" name="to" step="1"></label>
        <label class="field grow">Message contains
          <input type="search" name="message" autocomplete="off" placeholder="text">
        </label>
        <div class="form-buttons">
          <button type="submit" class="primary">Apply</button>
          <button type="button" data-clear>Clear</button>
        </div>
        <ul class="attr-filters" aria-label="Attribute filters" hidden></ul>
      </form>
      <p class="error" role="alert" hidden></p>
      <p class="export-status muted" role="status"></p>
      <figure class="chart-box card" aria-labelledby="chart-caption">
        <figcaption id="chart-caption" class="visually-hidden">Events per level over time</figcaption>
        <div class="chart-body"><p class="muted">Loading the chart…</p></div>
      </figure>
      <div class="table-wrap">
        <table class="data events-table">
          <thead><tr><th scope="col">Date</th><th scope="col">Service</th><th scope="col">Level</th><th scope="col">Message</th></tr></thead>
          <tbody></tbody>
        </table>
      </div>
      <p class="list-status muted" role="status" aria-live="polite"></p>
      <div class="more"><button type="button" data-more hidden>Load more</button></div>
      <div class="sentinel" aria-hidden="true"></div>
    </section>`;

  const form = root.querySelector('form');
  const tbody = root.querySelector('tbody');
  const listStatus = root.querySelector('.list-status');
  const moreButton = root.querySelector('[data-more]');
  const errorBox = root.querySelector('.error');
  const chartBody = root.querySelector('.chart-body');
  const tailButton = root.querySelector('#tail-toggle');
  const tailState = root.querySelector('.live-state');
  const exportStatus = root.querySelector('.export-status');
  const sentinel = root.querySelector('.sentinel');
  const attrFilters = root.querySelector('.attr-filters');

  function showFilters() {
    form.service.value = filters.service;
    form.level.value = filters.level.toLowerCase() === 'warn' ? 'warning' : filters.level.toLowerCase();
    form.from.value = toLocalInput(filters.from);
    form.to.value = toLocalInput(filters.to);
    form.message.value = filters.message;
    attrFilters.hidden = filters.attrs.length === 0;
    attrFilters.innerHTML = filters.attrs.map(([name, value]) => `<li><button type="button" class="attr" `
      + `data-name="${esc(name)}" aria-label="Remove the filter ${esc(name)}=${esc(value)}">`
      + `<span class="attr-name">${esc(name)}</span>=${esc(value)} <span aria-hidden="true">×</span></button></li>`).join('');
  }

  /** Shows `next`: a new history entry, so that the view can be bookmarked and Back undoes it. */
  function navigate(next) {
    const hash = hashOf(next, tail);
    if (hash === location.hash) {
      filters = next;
      reload();
    } else {
      location.hash = hash;
    }
  }

  function showError(message) {
    errorBox.hidden = !message;
    errorBox.textContent = message;
  }

  function showListStatus() {
    const { count, next, loading } = load;
    moreButton.hidden = !next;
    moreButton.disabled = loading;
    if (loading && count === 0) listStatus.textContent = 'Loading events…';
    else if (count === 0) listStatus.textContent = 'No events match these filters.';
    else if (next) listStatus.textContent = `${count} events shown; more below.`;
    else listStatus.textContent = `All ${count} matching event${count === 1 ? '' : 's'} shown.`;
  }

  async function loadMore() {
    const current = load;
    if (!current || current.loading || !current.next) return;
    current.loading = true;
    showListStatus();
    try {
      const page = await getPage(current.next, { signal: current.controller.signal });
      if (current !== load) return;
      tbody.insertAdjacentHTML('beforeend', eventRows(page.items));
      current.count += page.items.length;
      current.next = page.next;
    } catch (error) {
      if (error.name === 'AbortError' || current !== load) return;
      showError(`Could not load the events: ${error.message}`);
      current.next = null;
    } finally {
      if (current === load) {
        current.loading = false;
        showListStatus();
        // Still in view after this page (a tall screen): observing anew reports it.
        observer.unobserve(sentinel);
        observer.observe(sentinel);
      }
    }
  }

  const observer = new IntersectionObserver((entries) => {
    if (entries.some((entry) => entry.isIntersecting)) loadMore();
  }, { rootMargin: '600px 0px' });

  async function loadChart() {
    const current = load;
    const query = apiQuery(filters);
    query.set('bucket', bucketFor(parseApiDate(filters.from), parseApiDate(filters.to)));
    try {
      const stats = await getJson(`/event-stats?${query}`, { signal: current.controller.signal });
      if (current !== load) return;
      lastStats = stats;
      drawChart();
    } catch (error) {
      if (error.name !== 'AbortError' && current === load) {
        chartBody.innerHTML = `<p class="error">Could not draw the chart: ${esc(error.message)}</p>`;
      }
    }
  }

  function drawChart() {
    if (lastStats) chartBody.innerHTML = renderChart(lastStats, chartBody.clientWidth || 800);
  }
  const resizeObserver = new ResizeObserver(() => {
    const svg = chartBody.querySelector('svg');
    if (svg && Math.abs(Number(svg.getAttribute('width')) - chartBody.clientWidth) > 8) drawChart();
  });
  resizeObserver.observe(chartBody);

  /** Starts over with the current filters: the first page and the chart. */
  function reload() {
    load?.controller.abort();
    const query = apiQuery(filters);
    query.set('limit', String(PAGE));
    load = { controller: new AbortController(), next: `/list-events?${query}`, loading: false, count: 0 };
    tbody.replaceChildren();
    showError('');
    loadMore();
    loadChart();
    if (tail) startTail();
  }

  function startTail() {
    tailController?.abort();
    tailController = new AbortController();
    tailButton.setAttribute('aria-pressed', 'true');
    tailButton.textContent = 'Live tail: on';
    tailState.hidden = false;
    const query = apiQuery(filters, ['service', 'level', 'message']);
    const to = parseApiDate(filters.to);
    follow(`/events/stream${query.size ? `?${query}` : ''}`, {
      signal: tailController.signal,
      onState(state) {
        tailState.dataset.state = state;
        tailState.textContent = state === 'live' ? 'live' : `${state}…`;
      },
      onMessage(event, data) {
        if (event !== 'event') return;
        let received;
        try {
          received = JSON.parse(data);
        } catch {
          return;
        }
        if (Number.isFinite(to) && Date.parse(received.date) > to) return;
        if (tbody.querySelector(`tr[data-id="${CSS.escape(String(received.id))}"]`)) return;
        tbody.insertAdjacentHTML('afterbegin', eventRows([received], { fresh: true }));
        if (load) {
          load.count += 1;
          showListStatus();
        }
        // The chart catches up a few seconds later, not once per event.
        if (!chartTimer) chartTimer = setTimeout(() => {
          chartTimer = null;
          loadChart();
        }, 3000);
      },
    });
  }

  function stopTail() {
    tailController?.abort();
    tailController = null;
    tailButton.setAttribute('aria-pressed', 'false');
    tailButton.textContent = 'Live tail';
    tailState.hidden = true;
  }

  tailButton.addEventListener('click', () => {
    tail = !tail;
    if (tail) startTail();
    else stopTail();
    history.replaceState(null, '', hashOf(filters, tail));
  });

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    navigate({
      service: form.service.value.trim(),
      level: form.level.value,
      from: fromLocalInput(form.from.value),
      to: fromLocalInput(form.to.value),
      message: form.message.value,
      attrs: filters.attrs,
    });
  });
  root.querySelector('[data-clear]').addEventListener('click', () => {
    for (const key of FILTERS) form[key].value = '';
    filters = { ...filters, attrs: [] };
    form.requestSubmit();
  });
  attrFilters.addEventListener('click', (event) => {
    const chip = event.target.closest('button.attr');
    if (chip) navigate(withAttribute(filters, chip.dataset.name, null));
  });
  // A chip in the table narrows the current filters rather than replacing them.
  tbody.addEventListener('click', (event) => {
    const chip = event.target.closest('a.attr');
    if (!chip || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    navigate(withAttribute(filters, chip.dataset.name, chip.dataset.value));
  });

  let namesLoaded = false;
  form.service.addEventListener('focus', async () => {
    if (namesLoaded) return;
    namesLoaded = true;
    try {
      const services = await getJson('/');
      root.querySelector('#service-names').innerHTML = services.map((s) => `<option value="${esc(s.service)}">`).join('');
    } catch {
      namesLoaded = false;
    }
  });

  for (const button of root.querySelectorAll('[data-export]')) {
    button.addEventListener('click', async () => {
      const format = button.dataset.export;
      const [accept, filename] = format === 'csv'
        ? ['text/csv', 'watchtower-events.csv']
        : ['application/x-ndjson', 'watchtower-events.ndjson'];
      const query = apiQuery(filters).toString();
      button.disabled = true;
      exportStatus.textContent = `Exporting ${filename}…`;
      try {
        const size = await download(`/list-events${query ? `?${query}` : ''}`, accept, filename);
        exportStatus.textContent = `Saved ${filename} (${size.toLocaleString()} bytes).`;
      } catch (error) {
        exportStatus.textContent = '';
        showError(`Export failed: ${error.message}`);
      } finally {
        button.disabled = false;
      }
    });
  }

  moreButton.addEventListener('click', loadMore);
  showFilters();
  observer.observe(sentinel);
  reload();

  return {
    update(params) {
      ({ filters, tail } = readFilters(params));
      showFilters();
      if (!tail) stopTail();
      reload();
    },
    close() {
      load?.controller.abort();
      load = null;
      tailController?.abort();
      clearTimeout(chartTimer);
      observer.disconnect();
      resizeObserver.disconnect();
    },
  };
}
