// Small helpers shared by the views: HTML escaping, time formatting, the
// confirmation dialog and the screen-reader announcer.

const ENTITIES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe to put in HTML, inside an element or a quoted attribute. */
export function esc(value) {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** The hash route of a service's page. */
export function serviceHref(name) {
  return `#/services/${encodeURIComponent(name)}`;
}

// One formatter each: creating Intl formatters is what costs, not using them.
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const shortFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });

/** A date (epoch ms) in the reader's time zone, to the second. */
export function dateTime(ms) {
  return Number.isFinite(ms) ? dateTimeFormat.format(ms) : '—';
}

/** A date as an event log shows it, in the reader's time zone: `2026-11-25 06:12:32.660`. */
export function logTime(ms) {
  if (!Number.isFinite(ms)) return '—';
  const d = new Date(ms);
  const p = (n, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

/** A date for axis labels, as precise as the chart's buckets. */
export function axisLabel(ms, bucket) {
  if (bucket === 'day') return dayFormat.format(ms);
  return bucket === 'minute' ? timeFormat.format(ms) : shortFormat.format(ms);
}

/**
 * Seconds as a short human duration with two units at most: `4m 12s`, `3d 2h`.
 * With `fine`, less than a second reads in milliseconds (`7ms`), not `0s`.
 */
export function duration(seconds, { fine = false } = {}) {
  if (fine && seconds > 0 && seconds < 0.9995) return `${Math.max(1, Math.round(seconds * 1000))}ms`;
  let s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (d > 0) return h ? `${d}d ${h}h` : `${d}d`;
  if (h > 0) return m ? `${h}h ${m}m` : `${h}h`;
  return s ? `${m}m ${s}s` : `${m}m`;
}

/** How far a deadline is: `in 4m 12s`, `3s overdue`, or for a dead service `missed 5m ago`. */
export function countdown(deadlineMs, now, status = 'up') {
  const left = (deadlineMs - now) / 1000;
  if (left >= 0) return `in ${duration(left)}`;
  return status === 'dead' ? `missed ${duration(-left)} ago` : `${duration(-left)} overdue`;
}

/** How long ago: `12s ago`. */
export function ago(ms, now) {
  return Number.isFinite(ms) ? `${duration((now - ms) / 1000)} ago` : '—';
}

/** A fraction (0–1) as a percentage that never rounds a single outage away. */
export function percent(fraction) {
  if (typeof fraction !== 'number' || !Number.isFinite(fraction)) return '—';
  const p = fraction * 100;
  if (p >= 100) return '100%';
  return `${Math.min(p, 99.99).toFixed(2)}%`;
}

/** A value for `<input type="datetime-local">` from an API date (RFC 3339 or epoch seconds). */
export function toLocalInput(value) {
  const ms = parseApiDate(value);
  if (!Number.isFinite(ms)) return '';
  const d = new Date(ms);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Epoch ms of an API date: RFC 3339, or Unix epoch seconds as the API also takes. */
export function parseApiDate(value) {
  if (value === null || value === undefined || value === '') return NaN;
  if (/^\d+(\.\d+)?$/.test(String(value))) return Number(value) * 1000;
  return Date.parse(value);
}

/** An RFC 3339 UTC date from a `datetime-local` value (the reader's time zone). */
export function fromLocalInput(value) {
  if (!value) return '';
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? new Date(ms).toISOString() : '';
}

/** Says `message` to screen readers without moving focus. */
export function announce(message) {
  const region = document.getElementById('announcer');
  if (!region) return;
  region.textContent = '';
  // A new text node in a later task is what makes screen readers speak again.
  setTimeout(() => { region.textContent = message; }, 50);
}

/**
 * Asks for confirmation in the page's modal dialog. Resolves to true when the
 * user confirms; Escape, the other button or closing the dialog mean no.
 */
export function confirmAction({ title, text, confirm }) {
  const dialog = document.getElementById('confirm');
  dialog.querySelector('#confirm-title').textContent = title;
  dialog.querySelector('#confirm-text').textContent = text;
  dialog.querySelector('#confirm-yes').textContent = confirm;
  dialog.returnValue = '';
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    dialog.showModal();
  });
}

/** Runs `fn` once the next frame is painted (a task queued from the frame's callback). */
export function afterPaint(fn) {
  requestAnimationFrame(() => setTimeout(fn, 0));
}

/** Runs `fn` at most once per `ms`, the last call included, however often it is called. */
export function throttle(fn, ms) {
  let timer = null;
  let last = 0;
  return () => {
    if (timer) return;
    const wait = Math.max(0, last + ms - Date.now());
    timer = setTimeout(() => {
      timer = null;
      last = Date.now();
      fn();
    }, wait);
  };
}
