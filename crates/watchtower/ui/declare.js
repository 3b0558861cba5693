// #/new and #/services/NAME/edit: declare a service before its first pulse, or
// change how one is monitored (PUT /services/NAME): at most an interval apart or
// on a cron schedule in a time zone, a grace, a channel chosen from those the
// server has (GET /channels), reminders and a dependency. A schedule is
// explained in words, with its next five times, as it is typed (GET /schedule).

import { ApiError, getJson, request } from './api.js';
import { announce, esc, serviceHref } from './util.js';

/** Seconds from `90`, `90s`, `30m`, `2h`, `1d` or `1w`; NaN for anything else. */
export function parseDuration(text) {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)?\s*$/i.exec(text ?? '');
  if (!match) return NaN;
  const unit = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 }[(match[2] ?? 's').toLowerCase()];
  return Number(match[1]) * unit;
}

/** A duration as the form shows it: the largest whole unit (`30m`, `90s`). */
function durationText(seconds) {
  if (!seconds) return '';
  for (const [unit, size] of [['w', 604_800], ['d', 86_400], ['h', 3600], ['m', 60]]) {
    if (seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}

/** What each channel takes as its target, for the field's hint. */
const TARGET_WORDS = {
  mail: 'an e-mail address',
  pushover: 'a Pushover user or group key (30 characters)',
  telegram: 'a chat id (-1001234567890) or @channel',
  ntfy: 'a topic',
  matrix: 'a room id (!abc:example.org)',
};

function zones() {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return ['UTC'];
  }
}

/** Mounts the form: `name` null declares a new service. */
export function declareView(root, name) {
  const controller = new AbortController();
  const { signal } = controller;
  const editing = name !== null;
  document.title = `${editing ? `Edit ${name}` : 'New service'} · Watchtower`;
  const back = editing ? serviceHref(name) : '#/services';
  root.innerHTML = `
    <section class="view" aria-labelledby="declare-title">
      <nav class="breadcrumb" aria-label="Breadcrumb"><a href="#/services">Services</a> <span aria-hidden="true">›</span>
        ${editing ? `<a href="${esc(serviceHref(name))}">${esc(name)}</a> <span aria-hidden="true">›</span>` : ''}</nav>
      <h1 id="declare-title">${editing ? `Edit <span class="service-name">${esc(name)}</span>` : 'New service'}</h1>
      <p class="muted">${editing
    ? 'Only what you change is changed; its deadline is counted again from its last pulse.'
    : 'Declared now, it is watched from now: if no pulse comes by its first expected time (plus grace), it is alerted like any death.'}</p>
      <form class="card declare-form" novalidate>
        <label class="field" ${editing ? 'hidden' : ''}>Name
          <input name="service" required maxlength="200" autocomplete="off" spellcheck="false" placeholder="nightly-backup">
        </label>
        <fieldset class="segmented">
          <legend>Expect a pulse</legend>
          <div class="segments">
            <label><input type="radio" name="mode" value="interval" checked><span>at most every</span></label>
            <label><input type="radio" name="mode" value="schedule"><span>on a schedule</span></label>
          </div>
        </fieldset>
        <div class="mode-interval">
          <label class="field">Interval
            <input name="nextIn" autocomplete="off" placeholder="1h" aria-describedby="next-in-hint">
          </label>
          <p class="hint muted small" id="next-in-hint">Seconds, or <code>90s</code>, <code>30m</code>, <code>2h</code>, <code>1d</code>.</p>
        </div>
        <div class="mode-schedule" hidden>
          <div class="toolbar">
            <label class="field grow">Cron expression
              <input name="schedule" autocomplete="off" spellcheck="false" placeholder="30 2 * * 1-5" aria-describedby="schedule-words">
            </label>
            <label class="field grow">Time zone
              <input name="tz" list="tz-list" autocomplete="off" spellcheck="false" value="UTC">
            </label>
          </div>
          <datalist id="tz-list">${zones().map((zone) => `<option value="${esc(zone)}">`).join('')}</datalist>
          <div class="schedule-explained" id="schedule-words" aria-live="polite"></div>
        </div>
        <label class="field">Grace (optional)
          <input name="grace" autocomplete="off" placeholder="15m" aria-describedby="grace-hint">
        </label>
        <p class="hint muted small" id="grace-hint">How long past its expected time it may still pulse: it shows
          <em>late</em> meanwhile, and is alerted only once the grace is over.</p>
        <div class="toolbar">
          <label class="field">Alert through
            <select name="alertType"><option value="">Loading…</option></select>
          </label>
          <label class="field grow target-field">Target
            <select name="alertTargetChoice"></select>
            <input name="alertTarget" autocomplete="off" spellcheck="false" hidden>
          </label>
        </div>
        <p class="hint muted small target-hint"></p>
        <details class="more-settings">
          <summary>Reminders and dependency</summary>
          <div class="toolbar">
            <label class="field">Remind every (optional)
              <input name="remindEvery" autocomplete="off" placeholder="4h">
            </label>
            <label class="field grow">Depends on (optional)
              <input name="dependsOn" list="service-list" autocomplete="off" spellcheck="false">
            </label>
            <datalist id="service-list"></datalist>
          </div>
        </details>
        <p class="error" role="alert"></p>
        <div class="form-buttons">
          <button type="submit" class="primary">${editing ? 'Save changes' : 'Declare service'}</button>
          <a class="button-link" href="${esc(back)}">Cancel</a>
        </div>
      </form>
    </section>`;

  const form = root.querySelector('form');
  const errorBox = form.querySelector('.error');
  const explained = form.querySelector('.schedule-explained');
  const targetChoice = form.alertTargetChoice;
  const targetText = form.alertTarget;
  let channels = [];
  let current = null;

  function mode() {
    return form.querySelector('input[name=mode]:checked').value;
  }

  function showMode() {
    const scheduled = mode() === 'schedule';
    form.querySelector('.mode-interval').hidden = scheduled;
    form.querySelector('.mode-schedule').hidden = !scheduled;
    if (scheduled) explain();
  }

  /** The target field for the chosen channel: a list of its names, or text. */
  function showTargets(selected = '') {
    const channel = channels.find((c) => c.alertType === form.alertType.value);
    const named = channel?.form === 'named';
    targetChoice.hidden = !named;
    targetText.hidden = named;
    targetChoice.required = named;
    targetText.required = !named;
    if (named) {
      targetChoice.innerHTML = channel.targets.map((t) => `<option value="${esc(t)}">${esc(t)}</option>`).join('');
      if (channel.targets.includes(selected)) targetChoice.value = selected;
    } else {
      targetText.type = channel?.form === 'email' ? 'email' : 'text';
      targetText.value = selected;
      targetText.placeholder = channel?.form === 'email' ? 'ops@example.com' : '';
    }
    const hint = form.querySelector('.target-hint');
    hint.textContent = !channel ? ''
      : named ? (channel.alertType === 'route' ? 'A route alerts each of its channels (see Channels).' : `One of the ${channel.alertType} targets the server's config names.`)
        : `Takes ${TARGET_WORDS[channel.alertType] ?? 'a target'}.`;
  }

  let explaining = 0;
  let explainTimer = null;
  /** Explains the schedule as typed (debounced); a bad one says what is wrong. */
  function explain() {
    clearTimeout(explainTimer);
    explainTimer = setTimeout(async () => {
      const expression = form.schedule.value.trim();
      const ask = ++explaining;
      if (!expression) {
        explained.innerHTML = '<p class="muted small">Five fields — minute, hour, day of month, month, day of week — or @hourly, @daily, @weekly, @monthly, @yearly.</p>';
        return;
      }
      const tz = form.tz.value.trim() || 'UTC';
      try {
        const answer = await getJson(`/schedule?schedule=${encodeURIComponent(expression)}&tz=${encodeURIComponent(tz)}`, { signal });
        if (ask !== explaining) return;
        const inZone = new Intl.DateTimeFormat(undefined, { timeZone: answer.tz, weekday: 'short', year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
        form.schedule.setAttribute('aria-invalid', 'false');
        form.tz.setAttribute('aria-invalid', 'false');
        explained.innerHTML = `<p class="schedule-words"><strong>${esc(answer.description)}</strong> <span class="muted">(${esc(answer.tz)})</span></p>
          <p class="muted small">Next five times:</p>
          <ol class="next-times">${answer.next.map((date) => `<li><time datetime="${esc(date)}">${esc(inZone.format(new Date(date)))}</time></li>`).join('')}</ol>`;
      } catch (error) {
        if (error.name === 'AbortError' || ask !== explaining) return;
        const field = /^tz\b/.test(error.message) ? form.tz : form.schedule;
        field.setAttribute('aria-invalid', 'true');
        explained.innerHTML = `<p class="error schedule-error">${esc(error.message)}</p>`;
      }
    }, 250);
  }

  function fill(service) {
    form.service.value = service.service;
    const scheduled = Boolean(service.schedule);
    form.querySelector(`input[name=mode][value=${scheduled ? 'schedule' : 'interval'}]`).checked = true;
    form.nextIn.value = scheduled ? '' : durationText(service.nextIn);
    form.schedule.value = service.schedule ?? '';
    form.tz.value = service.tz ?? 'UTC';
    form.grace.value = durationText(service.grace ?? 0);
    form.remindEvery.value = durationText(service.remindEvery ?? 0);
    form.dependsOn.value = service.dependsOn ?? '';
    if (service.remindEvery || service.dependsOn) form.querySelector('details').open = true;
    form.alertType.value = service.alertType;
    showTargets(service.alertTarget);
    showMode();
  }

  /** The declaration, or throws [field, problem] for what the form can tell itself. */
  function declaration() {
    const body = { alertType: form.alertType.value };
    body.alertTarget = targetChoice.hidden ? targetText.value.trim() : targetChoice.value;
    if (!body.alertType) throw [form.alertType, 'alertType: choose a channel'];
    if (!body.alertTarget) throw [targetText, 'alertTarget: give the target'];
    if (mode() === 'schedule') {
      body.schedule = form.schedule.value.trim();
      body.tz = form.tz.value.trim() || 'UTC';
      if (!body.schedule) throw [form.schedule, 'schedule: give a cron expression, such as 30 2 * * 1-5'];
    } else {
      body.nextIn = parseDuration(form.nextIn.value);
      if (!(body.nextIn > 0)) throw [form.nextIn, 'nextIn: give an interval, such as 1h or 90s'];
    }
    for (const key of ['grace', 'remindEvery']) {
      const text = form[key].value.trim();
      if (!text) continue;
      body[key] = parseDuration(text);
      if (!Number.isFinite(body[key])) throw [form[key], `${key}: give a duration, such as 15m`];
    }
    const parent = form.dependsOn.value.trim();
    if (parent) body.dependsOn = parent;
    return body;
  }

  /** The form field a server error names (`schedule: …`), if any. */
  function fieldOf(message) {
    const key = /^([A-Za-z]+)\b/.exec(message)?.[1];
    if (key === 'alertTarget') return targetChoice.hidden ? targetText : targetChoice;
    return key && form.elements[key] instanceof HTMLElement ? form.elements[key] : null;
  }

  function fail(field, message) {
    errorBox.textContent = message;
    for (const input of form.querySelectorAll('[aria-invalid="true"]')) input.setAttribute('aria-invalid', 'false');
    if (field) {
      field.setAttribute('aria-invalid', 'true');
      if (field.closest('details')) field.closest('details').open = true;
      field.focus();
    }
  }

  form.addEventListener('change', (event) => {
    if (event.target.name === 'mode') showMode();
    if (event.target.name === 'alertType') showTargets();
  });
  form.addEventListener('input', (event) => {
    if (event.target.name === 'schedule' || event.target.name === 'tz') explain();
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const service = editing ? name : form.service.value.trim();
    if (!service) {
      fail(form.service, 'service: give the service a name');
      return;
    }
    let body;
    try {
      body = declaration();
    } catch (problem) {
      if (!Array.isArray(problem)) throw problem;
      fail(...problem);
      return;
    }
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const response = await request(`/services/${encodeURIComponent(service)}`, { method: 'PUT', body });
      announce(response.status === 201 ? `${service} declared` : `${service} saved`);
      location.hash = serviceHref(service);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      fail(fieldOf(error.message), error.status === 403 ? `Not allowed: ${error.message}` : error.message);
    } finally {
      button.disabled = false;
    }
  });

  (async () => {
    try {
      const [answer, services] = await Promise.all([getJson('/channels', { signal }), getJson('/', { signal })]);
      channels = answer.channels;
      form.alertType.innerHTML = channels.length === 0
        ? '<option value="">No channel is configured</option>'
        : channels.map((c) => `<option value="${esc(c.alertType)}">${esc(c.alertType)}</option>`).join('');
      form.querySelector('#service-list').innerHTML = services.map((s) => `<option value="${esc(s.service)}">`).join('');
      if (editing) {
        current = services.find((s) => s.service === name) ?? null;
        if (!current) {
          fail(null, `No service named ${name} is monitored: it was cancelled. Declare it anew from the list.`);
          form.querySelector('button[type=submit]').disabled = true;
          return;
        }
        fill(current);
      } else {
        form.alertType.value = channels.some((c) => c.alertType === 'webhook') ? 'webhook' : channels[0]?.alertType ?? '';
        showTargets();
        showMode();
        form.service.focus();
      }
    } catch (error) {
      if (error.name !== 'AbortError') fail(null, `Could not load the channels: ${error.message}`);
    }
  })();

  return {
    close() {
      controller.abort();
      clearTimeout(explainTimer);
    },
  };
}

