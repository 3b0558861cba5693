// Snoozes as the pages show them: which one covers a service now (GET /snoozes),
// a mark saying until when, and the picker that snoozes a service for a while
// (POST /snooze) or ends a snooze early (DELETE /snooze/ID).

import { ApiError, getJson, request } from './api.js';
import { announce, dateTime, duration, esc } from './util.js';

export const SNOOZE_CHOICES = [['15m', '15 minutes'], ['1h', '1 hour'], ['4h', '4 hours'], ['1d', '1 day'], ['1w', '1 week']];

/** The snoozes not over yet, their dates parsed. */
export async function loadSnoozes(signal) {
  const snoozes = await getJson('/snoozes', { signal });
  return snoozes.map((s) => ({ ...s, fromMs: Date.parse(s.from), untilMs: Date.parse(s.until) }));
}

function covers(snooze, name) {
  if (snooze.prefix !== undefined && snooze.prefix !== null) return name.startsWith(snooze.prefix);
  return snooze.service === '*' || snooze.service === name;
}

/** The snooze in force over `name` at `now` that ends last, or null. */
export function snoozeOf(snoozes, name, now) {
  let found = null;
  for (const s of snoozes) {
    if (s.fromMs <= now && now < s.untilMs && covers(s, name) && (!found || s.untilMs > found.untilMs)) found = s;
  }
  return found;
}

/** What a snooze covers, in words. */
export function snoozeScope(snooze) {
  if (snooze.prefix !== undefined && snooze.prefix !== null) return `services starting with ${snooze.prefix}`;
  return snooze.service === '*' ? 'every service' : snooze.service;
}

/** The mark of a snoozed service: until when, and why in its title. */
export function snoozeMark(snooze) {
  if (!snooze) return '';
  const until = dateTime(snooze.untilMs);
  const why = snooze.reason ? ` (${snooze.reason})` : '';
  return ` <span class="badge snoozed" title="Alerts held until ${esc(until)}${esc(why)}, snooze of ${esc(snoozeScope(snooze))}">`
    + `<span aria-hidden="true">☾</span> snoozed until <time datetime="${esc(snooze.until)}">${esc(until)}</time></span>`;
}

/**
 * The snooze box of a service page: the snooze in force with an End button, or
 * a picker of how long. `onChange` runs after a snooze is made or ended.
 */
export function snoozeBox(name, snooze, { canWrite }) {
  if (snooze) {
    const end = canWrite ? ` <button type="button" class="small" data-end-snooze="${snooze.id}">End snooze</button>` : '';
    return `<p class="snooze-state">${snoozeMark(snooze)} <span class="muted small">(${esc(snoozeScope(snooze))}, ${esc(duration((snooze.untilMs - Date.now()) / 1000))} left)</span>${end}</p>`;
  }
  if (!canWrite) return '';
  return `<form class="snooze-form" aria-label="Snooze ${esc(name)}">
      <label class="field">Snooze alerts for
        <select name="duration">${SNOOZE_CHOICES.map(([value, text]) => `<option value="${value}"${value === '1h' ? ' selected' : ''}>${text}</option>`).join('')}<option value="custom">other…</option></select>
      </label>
      <label class="field custom-duration" hidden>Duration
        <input name="custom" placeholder="90m" autocomplete="off">
      </label>
      <label class="field grow">Reason (optional)
        <input name="reason" maxlength="200" autocomplete="off" placeholder="maintenance">
      </label>
      <div class="form-buttons"><button type="submit">Snooze</button></div>
    </form>`;
}

/** Wires a snooze box drawn by `snoozeBox`; resolves the actions to `onChange`. */
export function wireSnoozeBox(box, name, { onChange, onError }) {
  const form = box.querySelector('.snooze-form');
  form?.duration.addEventListener('change', () => {
    const custom = form.duration.value === 'custom';
    form.querySelector('.custom-duration').hidden = !custom;
    if (custom) form.custom.focus();
  });
  form?.addEventListener('submit', async (event) => {
    event.preventDefault();
    const chosen = form.duration.value === 'custom' ? form.custom.value.trim() : form.duration.value;
    const body = { service: name, duration: chosen };
    const reason = form.reason.value.trim();
    if (reason) body.reason = reason;
    try {
      await request('/snooze', { method: 'POST', body });
      announce(`${name} snoozed`);
      onChange();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      onError(`Could not snooze ${name}: ${error.message}`);
      form.querySelector('.custom-duration').hidden = form.duration.value !== 'custom';
    }
  });
  box.querySelector('[data-end-snooze]')?.addEventListener('click', async (event) => {
    try {
      await request(`/snooze/${event.target.dataset.endSnooze}`, { method: 'DELETE' });
      announce(`Snooze of ${name} ended`);
      onChange();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      onError(`Could not end the snooze: ${error.message}`);
    }
  });
}
