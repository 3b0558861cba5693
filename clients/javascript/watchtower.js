// Watchtower client: heartbeats and events for a Watchtower server.
//
// One ES module with no dependencies. It uses the global `fetch`, so it runs
// unchanged in Node 18+, Deno, Bun and browsers (loaded with
// <script type="module">, no bundler needed). Types: watchtower.d.ts.

/** Default time, in milliseconds, that one request may take. */
export const DEFAULT_TIMEOUT_MS = 10_000;

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/**
 * Base class of every error this library throws for a failed request.
 * `status` is the HTTP status (undefined when no answer came back) and
 * `message` is the server's own `error` text when it sent one.
 */
export class WatchtowerError extends Error {
  constructor(message, { status, body, cause } = {}) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = new.target.name;
    /** @type {number | undefined} */
    this.status = status;
    /** The parsed error body (usually `{error: "…"}`), if any. */
    this.body = body;
  }
}

/** 401: the `password` (or API key) is missing, wrong, expired or revoked. */
export class AuthenticationError extends WatchtowerError {}

/**
 * 403: the credential is valid, but its scope or prefix does not allow the
 * request, e.g. a `read` key pulsing, an `ingest` key listing, or a key with
 * the prefix `team-a-` pulsing `team-b-x`. `field` is what refused it: `scope`
 * (the scope is too narrow), the field naming a service outside the prefix
 * (`service`, …), or `user` (a proxy-signed-in user without a scope).
 */
export class ForbiddenError extends WatchtowerError {
  constructor(message, options = {}) {
    super(message, options);
    /** @type {string | null} */
    this.field = fieldOf(message);
  }
}

/**
 * 400 or 422: the server rejected the request (422: it matches the API's
 * grammar but breaks a rule relating fields or the clock, such as `from`
 * after `to`). `field` names what was wrong
 * (`nextIn`, `level`, `cursor`, `query`, `body`, …): the server's message is
 * `"field: problem"`.
 */
export class InvalidRequestError extends WatchtowerError {
  constructor(message, options = {}) {
    super(message, options);
    /** @type {string | null} */
    this.field = fieldOf(message);
  }
}

/** The `field` of a server message `"field: problem"`, or null. */
function fieldOf(message) {
  const colon = message.indexOf(': ');
  return colon > 0 ? message.slice(0, colon) : null;
}

/** 404: no such service (on cancel, pause, resume, start without settings, fail, pings), no live key (on revokeKey), or no such path (a wrong base URL). */
export class NotFoundError extends WatchtowerError {}

/**
 * The server could not be reached or could not serve the request: a network
 * or TLS failure, 503 (storage unavailable), 502 (an alert channel did not take
 * a testAlert(), the message naming it), 429 or any other 5xx, or a timeout
 * (see RequestTimeoutError). Usually worth retrying later.
 */
export class ServerUnavailableError extends WatchtowerError {}

/** The request did not complete within `timeoutMs` (or the server answered 408). */
export class RequestTimeoutError extends ServerUnavailableError {}

function errorForResponse(status, statusText, body, text) {
  const message =
    body && typeof body.error === 'string'
      ? body.error
      : `HTTP ${status}${statusText ? ` ${statusText}` : ''}${text ? `: ${text.slice(0, 200)}` : ''}`;
  const options = { status, body };
  if (status === 400 || status === 422) return new InvalidRequestError(message, options);
  if (status === 401) return new AuthenticationError(message, options);
  if (status === 403) return new ForbiddenError(message, options);
  if (status === 404) return new NotFoundError(message, options);
  if (status === 408) return new RequestTimeoutError(message, options);
  if (status === 429 || status >= 500) return new ServerUnavailableError(message, options);
  return new WatchtowerError(message, options);
}

// ---------------------------------------------------------------------------
// Client
// ---------------------------------------------------------------------------

const isNode = typeof process !== 'undefined' && process.versions != null && process.versions.node != null;

/**
 * The `cursor` of a `Link: <…>; rel="next"` header, or null.
 * @param {string | null} link
 */
export function nextCursorFromLink(link) {
  if (!link) return null;
  for (const [, target, params] of link.matchAll(/<([^>]*)>([^<]*)/g)) {
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(params);
    if (!rel || !(rel[1] ?? rel[2]).toLowerCase().split(/\s+/).includes('next')) continue;
    const query = target.includes('?') ? target.slice(target.indexOf('?') + 1) : '';
    const cursor = new URLSearchParams(query).get('cursor');
    if (cursor) return cursor;
  }
  return null;
}

/**
 * `/services/{service}`, the name percent-encoded as one path segment (a name
 * may hold `/`, `?`, `#`, spaces or any other printable character). `verb`
 * (`paused`, `declared`, …) says what the refused name could not be.
 */
function serviceResource(service, verb) {
  if (typeof service !== 'string' || service === '') throw new TypeError('service: required');
  // A URL resolves `.` and `..` segments (encoded as %2E too) before sending,
  // so such a name would reach another path: refuse it rather than send that.
  if (service === '.' || service === '..') {
    throw new TypeError(`service: \`${service}\` cannot be sent as a URL path segment, so it cannot be ${verb} through the API`);
  }
  return `/services/${encodeURIComponent(service)}`;
}

/** `/services/{service}/{action}`, the name encoded as in serviceResource. */
function servicePath(service, action) {
  return `${serviceResource(service, `${action}d`)}/${action}`;
}

/** The settings of a pulse that `fields` gives (those not undefined or null), as start() sends them. */
function settingsBody({ nextIn, schedule, tz, grace, alertType, alertTarget, remindEvery, dependsOn }) {
  const body = {};
  for (const [key, value] of Object.entries({ alertType, alertTarget, nextIn, schedule, tz, grace, remindEvery, dependsOn })) {
    if (value !== undefined && value !== null) body[key] = value;
  }
  return body;
}

/**
 * The object a method takes before its call options (`{}` for undefined or
 * null). A call option given there (`timeoutMs`, `signal`), which would be
 * ignored, is a TypeError, as is anything but an object.
 */
function argumentObject(value, name, call) {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new TypeError(`${name}: must be an object: ${call}`);
  for (const option of ['timeoutMs', 'signal']) {
    if (option in value) throw new TypeError(`${name}: \`${option}\` is a call option, taken by the next argument: ${call}`);
  }
  return value;
}

/** True for an object holding call options (`timeoutMs`, `signal`) and nothing else. */
function isCallOptions(value) {
  if (value === undefined || value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((key) => key === 'timeoutMs' || key === 'signal');
}

/**
 * `GET /` with the query of services() and listServices(): `prefix`, `status`
 * (an array joined with commas), `limit`, `cursor`, and any other key sent as
 * is for the server to refuse. Undefined and null values are left out.
 */
function servicesPath(filters) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) {
    if (value === undefined || value === null) continue;
    if (key === 'prefix') {
      if (typeof value !== 'string' || value === '') throw new TypeError('prefix: must be a non-empty string');
      query.set(key, value);
    } else if (key === 'status') {
      const statuses = typeof value === 'string' ? [value] : value;
      if (!Array.isArray(statuses) || statuses.length === 0 || !statuses.every((s) => typeof s === 'string' && s !== '')) {
        throw new TypeError("status: must be a status or a non-empty array of them, e.g. 'dead' or ['dead', 'late']");
      }
      query.set(key, statuses.join(','));
    } else if (key === 'cursor') {
      if (typeof value !== 'string' || value === '') throw new TypeError("cursor: must be a previous page's nextCursor");
      query.set(key, value);
    } else {
      query.set(key, toQueryValue(key, value));
    }
  }
  const search = query.toString();
  return search ? `/?${search}` : '/';
}

/**
 * An attribute's value as the server compares it in an `attr.NAME=VALUE`
 * filter: a string as it is, a boolean as `true` or `false`, and a number in
 * the JSON form the server writes it in, so that the value an event was
 * stored with finds it. A number JSON writes without a fraction or exponent
 * that fits 64 bits stays an integer (`503`); any other is a float in the
 * server's shortest form (`0.25`, `1e-6`, `1.8446744073709552e+19`).
 */
function attributeText(name, value) {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`attributes: \`${name}\` must be a finite number, not ${value}`);
    const text = String(value);
    if (Number.isInteger(value) && /^-?\d+$/.test(text)) {
      const integer = BigInt(text);
      if (integer >= -(2n ** 63n) && integer < 2n ** 64n) return text;
    }
    // A float: shortest digits, in positional form from 1e-5 up (JS's own form
    // for a fraction there), else with an exponent, `e-7` or `e+19`.
    return Math.abs(value) >= 1e-5 && !Number.isInteger(value) ? text : value.toExponential();
  }
  throw new TypeError(`attributes: \`${name}\` must be a string, a number or a boolean to filter by`);
}

/**
 * The `attr.NAME=VALUE` parameters of an `attributes` filter, an object of
 * names to values; names given undefined or null are left out.
 */
function setAttributeFilters(query, attributes) {
  if (typeof attributes !== 'object' || Array.isArray(attributes)) {
    throw new TypeError("attributes: must be an object of names to values, e.g. { host: 'web-1', status: 503 }");
  }
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null) continue;
    query.set(`attr.${name}`, attributeText(name, value));
  }
}

/** An event as the server answered it, with `attributes` (`{}` when it has none). */
function eventWithAttributes(event) {
  if (event !== null && typeof event === 'object' && (event.attributes === undefined || event.attributes === null)) {
    event.attributes = {};
  }
  return event;
}

function toQueryValue(key, value) {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new TypeError(`${key}: invalid Date`);
    return value.toISOString();
  }
  return String(value);
}

/**
 * A client for one Watchtower server.
 *
 * ```js
 * const wt = new WatchtowerClient({ url: 'http://127.0.0.1:8080', password: process.env.WATCHTOWER_PASSWORD });
 * await wt.pulse({ service: 'backup', nextIn: 90000, alertType: 'mail', alertTarget: 'ops@example.com' });
 * ```
 *
 * An API key's secret (`wtk_…`) goes in the password's place: it is sent the
 * same way, and the server allows what the key's scope and prefix allow.
 */
export class WatchtowerClient {
  #base;
  #password;
  #timeoutMs;
  #fetch;
  #fetchOptions;

  /**
   * @param {object} options
   * @param {string} options.url base URL of the server, e.g. `https://watchtower.example.com` (a path prefix is kept; relative URLs work in browsers)
   * @param {string} options.password the API password, or an API key's secret (`wtk_…`), sent in the `password` header
   * @param {number} [options.timeoutMs=10000] time one request may take, in milliseconds (0 or Infinity: none)
   * @param {typeof fetch} [options.fetch] a fetch implementation to use instead of the global one
   * @param {RequestInit} [options.fetchOptions] extra options merged into every fetch call (e.g. an undici `dispatcher`)
   */
  constructor({ url, password, timeoutMs = DEFAULT_TIMEOUT_MS, fetch, fetchOptions } = {}) {
    if (typeof url !== 'string' || url === '') throw new TypeError('url: required, e.g. "http://127.0.0.1:8080"');
    if (isNode && typeof document === 'undefined' && !/^https?:\/\//i.test(url)) {
      throw new TypeError(`url: must be an absolute http:// or https:// URL, not ${JSON.stringify(url)}`);
    }
    if (typeof password !== 'string' || password === '') throw new TypeError('password: required');
    if (!(typeof timeoutMs === 'number' && timeoutMs >= 0)) throw new TypeError('timeoutMs: must be a number of milliseconds >= 0');
    if (fetch !== undefined && typeof fetch !== 'function') throw new TypeError('fetch: must be a function');
    if (fetch === undefined && typeof globalThis.fetch !== 'function') {
      throw new TypeError('fetch: no global fetch here (Node 18 or later has one); pass a fetch implementation');
    }
    this.#base = url.replace(/\/+$/, '');
    this.#password = password;
    this.#timeoutMs = timeoutMs;
    this.#fetch = fetch;
    this.#fetchOptions = fetchOptions ?? {};
  }

  /** The base URL requests go to (without a trailing slash). */
  get url() {
    return this.#base;
  }

  /** The default time one request may take, in milliseconds. */
  get timeoutMs() {
    return this.#timeoutMs;
  }

  /**
   * Sends a heartbeat: the service promises to pulse again within `nextIn`
   * seconds, or at the next time of the cron `schedule` (in the IANA zone
   * `tz`, default UTC), else Watchtower alerts `alertTarget` through
   * `alertType`. `grace` (seconds, or a duration such as `'15m'`) is how long
   * past that time the server waits before declaring the service dead.
   * Exactly one of `nextIn` and `schedule` is needed, and `tz` only with
   * `schedule`: otherwise this rejects with a TypeError, sending nothing.
   * Resolves to the service as the server now sees it. A pulse ends a pause.
   */
  async pulse({ service, nextIn, schedule, tz, grace, alertType, alertTarget, remindEvery, dependsOn } = {}, options) {
    const given = (value) => value !== undefined && value !== null;
    if (given(nextIn) && given(schedule)) throw new TypeError('schedule: give either nextIn or schedule, not both');
    if (!given(nextIn) && !given(schedule)) {
      throw new TypeError('nextIn: required (seconds until the next pulse), unless schedule (a cron expression) is given');
    }
    if (given(tz) && !given(schedule)) throw new TypeError('tz: is the time zone of a schedule: give it only with schedule');
    const body = { service, alertType, alertTarget };
    if (given(nextIn)) body.nextIn = nextIn;
    if (given(schedule)) body.schedule = schedule;
    if (given(tz)) body.tz = tz;
    if (given(grace)) body.grace = grace;
    if (given(remindEvery)) body.remindEvery = remindEvery;
    if (given(dependsOn)) body.dependsOn = dependsOn;
    return (await this.#request('POST', '/', { body, ...options })).data;
  }

  /**
   * Declares a service before its first pulse, or changes how a monitored one
   * is watched. Takes what `pulse()` takes: `service` (sent in the path, as one
   * percent-encoded segment), `alertType`, `alertTarget`, `nextIn` or
   * `schedule` (with `tz`), `grace`, `remindEvery`, `dependsOn`.
   *
   * A service not monitored yet is created: `status` `new`, `neverPulsed`
   * true, `lastPulse` and `firstSeen` the declaration's date, and its
   * `deadline` its first expected time plus grace. If no pulse is in by then,
   * it dies and is alerted like any death (`neverPulsed` stays until its first
   * pulse). A monitored service gets the settings that differ, its deadline
   * counted again from its last pulse, its status kept; declaring it as it is
   * changes nothing, so a declaration is safe to repeat. Resolves to the
   * service as the server now sees it.
   *
   * Unlike `pulse()`, the body is left to the server to check: without
   * `nextIn` or `schedule`, with both, or with `tz` but no `schedule`, this
   * rejects with InvalidRequestError naming `nextIn`, `schedule` or `tz`
   * (likewise `service` for a name the server refuses). Rejects with
   * ForbiddenError unless the credential's scope (`write` or `admin`) and
   * prefix allow it. An empty name, `.` or `..` rejects with a TypeError,
   * sending nothing, as for pause().
   */
  async declare({ service, nextIn, schedule, tz, grace, alertType, alertTarget, remindEvery, dependsOn } = {}, options) {
    const path = serviceResource(service, 'declared');
    const given = (value) => value !== undefined && value !== null;
    const body = { alertType, alertTarget };
    if (given(nextIn)) body.nextIn = nextIn;
    if (given(schedule)) body.schedule = schedule;
    if (given(tz)) body.tz = tz;
    if (given(grace)) body.grace = grace;
    if (given(remindEvery)) body.remindEvery = remindEvery;
    if (given(dependsOn)) body.dependsOn = dependsOn;
    return (await this.#request('PUT', path, { body, ...options })).data;
  }

  /**
   * Stops monitoring a service (it will never alert again). Resolves to the
   * removed service; rejects with NotFoundError if there was none.
   * @param {string} service
   */
  async cancel(service, options) {
    return (await this.#request('DELETE', '/', { body: { service }, ...options })).data;
  }

  /**
   * Pauses a service (maintenance, a job switched off for a while): it neither
   * dies nor alerts until it pulses or is resumed, and alerts of it not yet sent
   * are dropped. Resolves to the service, its `status` `paused`; a paused
   * service is answered unchanged. Rejects with NotFoundError if there is none,
   * and ForbiddenError unless the credential's scope (`write` or `admin`)
   * and prefix allow it.
   * An empty name, `.` or `..` (which no URL path can carry) rejects with a
   * TypeError, sending nothing (resume() alike).
   * @param {string} service
   */
  async pause(service, options) {
    return (await this.#request('POST', servicePath(service, 'pause'), options)).data;
  }

  /**
   * Resumes a paused service with a fresh window from now: it is due again
   * after its `nextIn` (or at its schedule's next time) plus its grace.
   * Resolves to the service, its `status` `up`; a service that is not paused
   * is answered unchanged. Rejects with NotFoundError if there is none, and
   * ForbiddenError unless the credential's scope (`write` or `admin`)
   * and prefix allow it.
   * @param {string} service
   */
  async resume(service, options) {
    return (await this.#request('POST', servicePath(service, 'resume'), options)).data;
  }

  /**
   * Starts a run of a job: pulses the service, which is then `runningSince`
   * now until its next pulse or fail() ends the run, and the ping history
   * records how long the run took (`duration`, on the ping that ended it).
   * A run that hangs is missed at its deadline like any silence.
   *
   * Without `settings` (undefined, null, or none of its fields given) no body
   * is sent, and the service pulses with its own settings: NotFoundError if it
   * is not monitored. With them (what declare() takes, `service` left out or
   * the same name), it pulses with those, so a service not monitored yet is
   * created; the server checks them as it does for declare()
   * (InvalidRequestError naming `nextIn`, `schedule`, `tz`, …). Call options
   * go third: `start(service, undefined, { timeoutMs })`.
   *
   * Resolves to the service, with `runningSince`. Needs scope `ingest` (or
   * `write`, `admin`) within the key's prefix, else ForbiddenError. An empty
   * name, `.` or `..` rejects with a TypeError, sending nothing, as for pause().
   * @param {string} service
   */
  async start(service, settings, options) {
    const path = `${serviceResource(service, 'started')}/start`;
    const given = argumentObject(settings, 'settings', 'start(service, { nextIn, alertType, alertTarget, … }, { timeoutMs, signal })');
    const body = settingsBody(given);
    if (given.service !== undefined && given.service !== null) body.service = given.service;
    return (await this.#request('POST', path, { ...options, body: Object.keys(body).length > 0 ? body : undefined })).data;
  }

  /**
   * Reports that a run of a job failed: `message` (what failed, e.g. its exit
   * status and last output) is recorded as an `error` event of the service and
   * as the body of its `fail` ping, and the service is dead at once, alerted as
   * a death is. Without a message no body is sent (the server records
   * `run failed`). It ends a run that start() began, timing it.
   *
   * Resolves to the service, `status` `dead` (a paused service is answered as
   * it is). NotFoundError if the service is not monitored; ForbiddenError
   * unless the credential's scope (`ingest`, `write` or `admin`) and prefix
   * allow it; a TypeError, sending nothing, for an empty name, `.` or `..`.
   * @param {string} service
   */
  async fail(service, report, options) {
    const path = `${serviceResource(service, 'failed')}/fail`;
    const { message } = argumentObject(report, 'report', "fail(service, { message: 'what failed' }, { timeoutMs, signal })");
    const body = message === undefined || message === null ? undefined : { message };
    return (await this.#request('POST', path, { ...options, body })).data;
  }

  /**
   * Every monitored service matching `filters`, sorted by name, in one
   * answer. Each `status` is `up`, `late` (past its expected time, within its
   * grace: shown, not alerted), `dead`, `paused`, `new` (declared, never
   * pulsed), or a status added later.
   *
   * Every filter is optional: `prefix` (only names starting with it) and
   * `status` (a status, or an array of them, sent comma-separated: only
   * services in one of them). Call options go second:
   * `services({ status: 'dead' }, { timeoutMs })`, or
   * `services(undefined, { timeoutMs })` for every service. The one-argument
   * form of earlier versions, `services({ timeoutMs, signal })`, still works:
   * an object holding nothing but call options is taken as them.
   *
   * A page at a time is listServices(); `limit` or `cursor` here is a
   * TypeError, as are a `prefix` that is not a non-empty string and a `status`
   * that is neither a non-empty string nor a non-empty array of them (nothing
   * is sent). Rejects with InvalidRequestError naming `prefix` or `status`
   * for a value the server refuses (a status it does not know, a prefix over
   * 255 characters), or `query` for an unknown filter, and ForbiddenError
   * unless the credential may read (a key with a prefix sees only its
   * services).
   */
  async services(filters, options) {
    if (options === undefined && isCallOptions(filters)) [filters, options] = [undefined, filters];
    const call = "services({ prefix, status }, { timeoutMs, signal })";
    const given = argumentObject(filters, 'filters', call);
    for (const key of ['limit', 'cursor']) {
      if (given[key] !== undefined && given[key] !== null) {
        throw new TypeError(`${key}: services() answers every match; for a page at a time, call listServices({ prefix, status, limit, cursor })`);
      }
    }
    return (await this.#request('GET', servicesPath(given), options)).data;
  }

  /**
   * One page of the services matching `filters`, sorted by name: resolves to
   * `{services, nextCursor}`. Takes what services() takes (`prefix`,
   * `status`), plus `limit` (services per page, 1 to 10000; without it, one
   * page holds every match) and `cursor`: pass the returned `nextCursor` as
   * `cursor` (with the same filters) for the next page; it is null on the last.
   * Following the cursors visits each matching service once. Rejects as
   * services() does, and with InvalidRequestError naming `limit` or `cursor`
   * for a value the server refuses.
   *
   * ```js
   * let cursor = null;
   * do {
   *   const page = await wt.listServices({ status: ['dead', 'late'], limit: 500, cursor });
   *   for (const s of page.services) console.log(s.service, s.status);
   *   cursor = page.nextCursor;
   * } while (cursor);
   * ```
   */
  async listServices(filters, options) {
    const given = argumentObject(filters, 'filters', 'listServices({ prefix, status, limit, cursor }, { timeoutMs, signal })');
    const { data, response } = await this.#request('GET', servicesPath(given), options);
    return { services: data, nextCursor: nextCursorFromLink(response.headers.get('link')) };
  }

  /**
   * The ping history of a service, newest first: each pulse, start, fail and
   * log it sent, whichever way it came in, as plain objects `{date, kind,
   * source}` with `client`, `userAgent`, `body` (its first KiB) and `duration`
   * (seconds, on the pulse or fail that ended a run) when known. The server
   * keeps the last 100 per service unless configured otherwise; `limit` (1 to
   * 10000) asks for at most that many. NotFoundError if the service is not
   * monitored; InvalidRequestError naming `limit` for a value the server
   * refuses; ForbiddenError unless the credential may read the service. An
   * empty name, `.` or `..` rejects with a TypeError, sending nothing.
   * @param {string} service
   */
  async pings(service, filters, options) {
    const path = `${serviceResource(service, 'read')}/pings`;
    const { limit } = argumentObject(filters, 'filters', 'pings(service, { limit }, { timeoutMs, signal })');
    const search = limit === undefined || limit === null ? '' : `?${new URLSearchParams({ limit: String(limit) })}`;
    return (await this.#request('GET', `${path}${search}`, options)).data;
  }

  /**
   * Explains a cron expression as a pulse's `schedule` takes it: resolves to
   * `{schedule, tz, description, next}`, `description` it in words (`At 02:30,
   * on Monday, Tuesday, Wednesday, Thursday, and Friday.`) and `next` its next `count` times after now (1
   * to 20, the server's default 5) in the IANA zone `tz` (default UTC), as
   * RFC 3339 strings in UTC. Nothing is stored. Rejects with
   * InvalidRequestError naming `schedule`, `tz` or `count` for a value the
   * server refuses, and ForbiddenError unless the credential may read. An
   * empty or missing expression rejects with a TypeError, sending nothing.
   * @param {string} schedule
   */
  async explainSchedule(schedule, query, options) {
    if (typeof schedule !== 'string' || schedule === '') {
      throw new TypeError("schedule: required, a cron expression such as '0 9 * * 1-5'");
    }
    const { tz, count } = argumentObject(query, 'query', "explainSchedule(schedule, { tz, count }, { timeoutMs, signal })");
    const search = new URLSearchParams({ schedule });
    if (tz !== undefined && tz !== null) search.set('tz', String(tz));
    if (count !== undefined && count !== null) search.set('count', String(count));
    return (await this.#request('GET', `/schedule?${search}`, options)).data;
  }

  /**
   * Every service's uptime on each of the last 30 UTC days: resolves to
   * `{dates, services}`, `dates` the days (`2026-12-03`), oldest first and
   * today (so far) last, and `services` an object mapping each service's name
   * to 30 shares of the day it was up (0 to 1), in the order of `dates`,
   * `null` for a day before it was first seen (a service dead since before
   * the 30 days counts as down throughout them). A key with a prefix sees only its services;
   * ForbiddenError unless the credential may read.
   */
  async dailyUptime(options) {
    return (await this.#request('GET', '/uptime', options)).data;
  }

  /**
   * What the server can alert, by name and never with a secret (no URL, token
   * or key): resolves to `{channels, routes, pingKeys}`. Each channel is
   * `{alertType, form}`: `form` `email` (an address), `named` (one of its
   * `targets`: configured webhooks, Slack webhooks, … and, for `route`, the
   * routes), or `pattern` (text matching its `pattern`, at most `maxChars`
   * characters, such as an ntfy topic). Each route is `{name, steps}`, its
   * steps `{alertType, alertTarget}`; each ping key `{name, service, prefix,
   * services, alertType, alertTarget}` (`null` where unset). ForbiddenError
   * unless the credential may read.
   */
  async channels(options) {
    return (await this.#request('GET', '/channels', options)).data;
  }

  /**
   * Sends a test message now through `alertType` to `alertTarget` (through each
   * channel of the route `alertTarget` when `alertType` is `route`), to check
   * that alerts arrive before an outage finds out they do not. Resolves to the
   * channels that took it, `[{alertType, alertTarget}, …]` (a route's one by one).
   * Sent once: the server never queues or retries a test alert, and this client
   * never re-sends it. Rejects with ServerUnavailableError (status 502, the
   * message the server's, naming each channel that refused it or could not be
   * reached, and its error); InvalidRequestError naming `alertType` (a channel
   * the server has not configured) or `alertTarget` (an unknown webhook or
   * route name); ForbiddenError unless the credential's scope is `write` or `admin`.
   */
  async testAlert({ alertType, alertTarget } = {}, options) {
    const body = { alertType, alertTarget };
    return (await this.#request('POST', '/test-alert', { body, ...options })).data.delivered;
  }

  /**
   * Alerts as they fared, newest first: sent, pending a retry and why, given
   * up, or kept back by the policy. Every filter is optional: `service` (an
   * exact name), `state` (`pending`, `sent`, `failed`, `cancelled`,
   * `suppressed`, `digested`, or `failing`: pending after a failed attempt)
   * and `limit` (1 to 1000, the server's default 100). Resolves to plain
   * objects `{id, kind, service, alertType, alertTarget, created, state,
   * attempts}`, with `lastError`, `nextAttempt` (only while pending) and
   * `fannedFrom` (one channel's delivery of an alert to a route) when they
   * apply; dates are RFC 3339 strings. Rejects with InvalidRequestError
   * naming `state` or `limit` for a value the server refuses, and
   * ForbiddenError unless the credential may read (a key with a prefix sees
   * only its services' alerts, and may not ask for another service).
   */
  async alerts({ service, state, limit } = {}, options) {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries({ service, state, limit })) {
      if (value !== undefined && value !== null) query.set(key, String(value));
    }
    const search = query.toString();
    return (await this.#request('GET', `/alerts${search ? `?${search}` : ''}`, options)).data;
  }

  /**
   * Records an event; resolves to it as stored (with its `id`, `date` and
   * `attributes`). `attributes` (optional) is an object of names to strings,
   * numbers or booleans (`{ host: 'web-1', status: 503, retry: true }`), sent
   * as given for the server to check: a nested object, an array or null as a
   * value rejects with InvalidRequestError naming `attributes` (400), as do
   * more than 32 names or a name over 128 characters; over 4,096 bytes as JSON
   * is a 422.
   */
  async addEvent({ service, level, message, attributes } = {}, options) {
    const body = { service, level, message };
    if (attributes !== undefined && attributes !== null) body.attributes = attributes;
    return eventWithAttributes((await this.#request('POST', '/add-event', { body, ...options })).data);
  }

  /**
   * One page of events matching `filters`. Pass the returned `nextCursor` as
   * `cursor` (with the same filters) for the next page; it is null on the last.
   * `from` and `to` take a Date, an RFC 3339 string or Unix epoch seconds.
   * `attributes` (`{ host: 'web-1', status: 503 }`) keeps the events having
   * every one of those attributes with that value, each sent as
   * `attr.NAME=VALUE`; a value that is not a string, a finite number or a
   * boolean is a TypeError, sending nothing. Each event has `attributes`
   * (`{}` when it has none).
   */
  async listEvents(filters = {}, options) {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(filters ?? {})) {
      if (value === undefined || value === null) continue;
      if (key === 'attributes') setAttributeFilters(query, value);
      else query.set(key, toQueryValue(key, value));
    }
    const search = query.toString();
    const { data, response } = await this.#request('GET', `/list-events${search ? `?${search}` : ''}`, options);
    const events = Array.isArray(data) ? data.map(eventWithAttributes) : data;
    return { events, nextCursor: nextCursorFromLink(response.headers.get('link')) };
  }

  /**
   * Every event matching `filters`, following the pages one request at a time.
   *
   * ```js
   * for await (const event of wt.events({ service: 'backup', level: 'error' })) console.log(event.message);
   * ```
   */
  async *events(filters = {}, options) {
    let cursor = filters?.cursor;
    do {
      const page = await this.listEvents({ ...filters, cursor }, options);
      yield* page.events;
      cursor = page.nextCursor;
    } while (cursor);
  }

  /**
   * Who this client's credential is, and what it may do: `{name, kind, scope,
   * prefix, may}`. Any credential may ask, whatever its scope.
   */
  async whoami(options) {
    return (await this.#request('GET', '/whoami', options)).data;
  }

  /**
   * Creates an API key (needs `admin`). `scope` is `read`, `ingest`, `write` or
   * `admin`; `prefix` limits the key to services whose names start with it;
   * `expiresIn` is how long it works (`'90d'`, `'12h'`…), else until revoked.
   * Resolves to the key with its `secret`, which no later answer holds: keep it.
   * Rejects with a WatchtowerError of status 409 if a live key has that name.
   */
  async createKey({ name, scope, prefix, expiresIn } = {}, options) {
    const body = { name, scope };
    if (prefix !== undefined && prefix !== null) body.prefix = prefix;
    if (expiresIn !== undefined && expiresIn !== null) body.expiresIn = expiresIn;
    return (await this.#request('POST', '/keys', { body, ...options })).data;
  }

  /** Every API key, live and revoked, sorted by name, without their secrets (needs `admin`). */
  async keys(options) {
    return (await this.#request('GET', '/keys', options)).data;
  }

  /**
   * Revokes the live API key named `name` (needs `admin`): the server refuses
   * it from then on. Resolves to the revoked key; rejects with NotFoundError
   * if no live key has that name.
   * @param {string} name
   */
  async revokeKey(name, options) {
    if (typeof name !== 'string' || name === '') throw new TypeError('name: required');
    return (await this.#request('DELETE', `/keys/${encodeURIComponent(name)}`, options)).data;
  }

  /**
   * Creates and starts a Heartbeat that pulses this service every `every`
   * seconds until stopped. See Heartbeat.
   */
  heartbeat(options) {
    return new Heartbeat(this, options).start();
  }

  async #request(method, path, { body, signal, timeoutMs = this.#timeoutMs } = {}) {
    const headers = { password: this.#password, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const extra = this.#fetchOptions;

    // One controller aborts on the caller's signal or on our timeout.
    const controller = new AbortController();
    let timedOut = false;
    let timer;
    if (timeoutMs > 0 && Number.isFinite(timeoutMs)) {
      timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, timeoutMs);
    }
    const onAbort = () => controller.abort(signal.reason);
    if (signal) {
      if (signal.aborted) controller.abort(signal.reason);
      else signal.addEventListener('abort', onAbort, { once: true });
    }

    const url = this.#base + path;
    try {
      let response;
      try {
        const init = {
          ...extra,
          method,
          headers: { ...extra.headers, ...headers },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: controller.signal,
        };
        response = await (this.#fetch ? this.#fetch(url, init) : globalThis.fetch(url, init));
      } catch (error) {
        throw this.#failure(error, timedOut, timeoutMs, signal, `${method} ${url}`);
      }
      let text;
      try {
        text = await response.text();
      } catch (error) {
        throw this.#failure(error, timedOut, timeoutMs, signal, `${method} ${url}`);
      }
      let data;
      try {
        data = text === '' ? undefined : JSON.parse(text);
      } catch {
        data = undefined;
      }
      if (!response.ok) throw errorForResponse(response.status, response.statusText, data, data === undefined ? text : '');
      if (data === undefined) {
        throw new WatchtowerError(`${method} ${url}: the answer is not JSON (is ${this.#base} a Watchtower server?)`, {
          status: response.status,
        });
      }
      return { data, response };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  #failure(error, timedOut, timeoutMs, signal, what) {
    if (timedOut) return new RequestTimeoutError(`${what}: no answer within ${timeoutMs} ms`, { cause: error });
    // The caller's own abort is passed through as is, as fetch would.
    if (signal?.aborted) return signal.reason ?? error;
    const reason = describeNetworkError(error);
    return new ServerUnavailableError(`${what}: ${reason}`, { cause: error });
  }
}

/** A readable reason for a fetch failure: Node hides the cause (ECONNREFUSED, a TLS error) in `cause`. */
function describeNetworkError(error) {
  const parts = [];
  for (let e = error, depth = 0; e && depth < 4; e = e.cause, depth++) {
    const text = e.code && !String(e.message).includes(e.code) ? `${e.message} (${e.code})` : e.message;
    if (text && !parts.includes(text)) parts.push(text);
  }
  const reason = parts.join(': ') || String(error);
  // Browsers say only "Failed to fetch", whatever the cause.
  if (!isNode && error instanceof TypeError) {
    return `${reason} (the server is unreachable, its certificate is not trusted, or its CORS policy does not allow this origin)`;
  }
  return reason;
}

// ---------------------------------------------------------------------------
// Heartbeat
// ---------------------------------------------------------------------------

/**
 * Pulses a service every `every` seconds in the background until `stop()`.
 * It needs `nextIn` (a cron `schedule` is for a job that pulses when it runs:
 * call `pulse()` there); `grace` is sent with every pulse.
 * A failed pulse never throws out of the timer: it goes to `onError` and the
 * next pulse is tried on schedule. In Node the timer does not keep the process
 * alive unless `keepAlive: true`.
 *
 * ```js
 * const hb = new Heartbeat(wt, { service: 'worker', nextIn: 60, every: 20, alertType: 'webhook', alertTarget: 'ops', cancelOnStop: true });
 * hb.start();
 * // … on shutdown:
 * await hb.stop(); // cancels the service, so no false alarm goes out
 * ```
 */
export class Heartbeat {
  #client;
  #pulse;
  #everyMs;
  #cancelOnStop;
  #keepAlive;
  #onPulse;
  #onError;
  #signals;
  #signalHandler = null;
  #timer = null;
  #running = false;
  #inFlight = null;
  #stopping = null;

  /** @type {object | null} the service as answered by the last successful pulse */
  lastPulse = null;
  /** @type {Error | null} the error of the last pulse, null once one succeeds */
  lastError = null;
  /** number of successful pulses */
  pulses = 0;

  constructor(client, options = {}) {
    if (!(client instanceof WatchtowerClient)) throw new TypeError('client: must be a WatchtowerClient');
    const {
      service,
      nextIn,
      schedule,
      tz,
      grace,
      alertType,
      alertTarget,
      remindEvery,
      dependsOn,
      every = typeof nextIn === 'number' ? nextIn / 2 : undefined,
      cancelOnStop = false,
      keepAlive = false,
      onPulse,
      onError = (error) => console.warn(`watchtower heartbeat for ${service}: ${error.message}`),
      signals = [],
    } = options;
    if (typeof service !== 'string' || service === '') throw new TypeError('service: required');
    // A heartbeat pulses at a fixed rate, so it promises the next pulse in `nextIn` seconds.
    for (const [name, value] of [['schedule', schedule], ['tz', tz]]) {
      if (value === undefined || value === null) continue;
      throw new TypeError(
        `${name}: a Heartbeat pulses every \`every\` seconds and needs nextIn; for a cron schedule, call pulse({ schedule }) from the scheduled job itself`,
      );
    }
    if (!(typeof nextIn === 'number' && nextIn > 0)) throw new TypeError('nextIn: must be a positive number of seconds');
    if (nextIn < 0.1) throw new RangeError('nextIn: must be at least 0.1 seconds (100 ms)');
    if (!(typeof every === 'number' && every > 0)) throw new TypeError('every: must be a positive number of seconds');
    if (every >= nextIn) {
      throw new RangeError(`every: ${every} s is not shorter than nextIn (${nextIn} s), so the service would be declared dead between pulses`);
    }
    if (!Array.isArray(signals)) throw new TypeError('signals: must be an array such as ["SIGINT", "SIGTERM"]');
    if (signals.length > 0 && !isNode) throw new TypeError('signals: only available in Node');
    this.#client = client;
    this.#pulse = { service, nextIn, grace, alertType, alertTarget, remindEvery, dependsOn };
    this.#everyMs = every * 1000;
    this.#cancelOnStop = cancelOnStop;
    this.#keepAlive = keepAlive;
    this.#onPulse = onPulse;
    this.#onError = onError;
    this.#signals = signals;
  }

  /** The service this heartbeat pulses. */
  get service() {
    return this.#pulse.service;
  }

  /** True between start() and stop(). */
  get running() {
    return this.#running;
  }

  /** Pulses now, then every `every` seconds. Returns this heartbeat. */
  start() {
    if (this.#running) return this;
    if (this.#stopping) throw new Error('heartbeat: stop() has not finished; await it before starting again');
    this.#running = true;
    if (this.#signals.length > 0) {
      this.#signalHandler = (signal) => this.#onSignal(signal);
      for (const signal of this.#signals) process.on(signal, this.#signalHandler);
    }
    this.#tick();
    return this;
  }

  /**
   * Stops pulsing. Waits for a pulse in flight, then, with `cancelOnStop`
   * (or `{cancel: true}` here), cancels the service. Rejects if that cancel
   * fails (a service already gone counts as cancelled).
   */
  stop({ cancel = this.#cancelOnStop } = {}) {
    if (this.#stopping) return this.#stopping;
    const wasRunning = this.#running;
    this.#running = false;
    clearTimeout(this.#timer);
    this.#timer = null;
    this.#removeSignalHandlers();
    this.#stopping = (async () => {
      try {
        await this.#inFlight;
        if (cancel && wasRunning) {
          try {
            await this.#client.cancel(this.#pulse.service);
          } catch (error) {
            if (!(error instanceof NotFoundError)) throw error;
          }
        }
      } finally {
        this.#stopping = null;
      }
    })();
    return this.#stopping;
  }

  #tick() {
    const started = Date.now();
    this.#inFlight = this.#client.pulse(this.#pulse).then(
      (service) => {
        this.lastPulse = service;
        this.lastError = null;
        this.pulses += 1;
        this.#report(this.#onPulse, service);
      },
      (error) => {
        this.lastError = error;
        this.#report(this.#onError, error);
      },
    );
    this.#inFlight.then(() => {
      if (!this.#running) return;
      // Pulse at a fixed rate: the time a pulse took is not added to the interval.
      const delay = Math.max(0, this.#everyMs - (Date.now() - started));
      this.#timer = setTimeout(() => this.#tick(), delay);
      if (!this.#keepAlive && typeof this.#timer?.unref === 'function') this.#timer.unref();
    });
  }

  #report(callback, value) {
    if (typeof callback !== 'function') return;
    try {
      const result = callback(value);
      if (result && typeof result.catch === 'function') result.catch(() => {});
    } catch {
      // A throwing callback must not break the heartbeat.
    }
  }

  async #onSignal(signal) {
    try {
      await this.stop();
    } catch (error) {
      this.#report(this.#onError, error);
    }
    // If nobody else handles the signal, let it take its default course (exit).
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  }

  #removeSignalHandlers() {
    if (!this.#signalHandler) return;
    for (const signal of this.#signals) process.off(signal, this.#signalHandler);
    this.#signalHandler = null;
  }
}

if (typeof Symbol.asyncDispose === 'symbol') {
  // `await using hb = wt.heartbeat({...})` stops it when the scope ends.
  Heartbeat.prototype[Symbol.asyncDispose] = function () {
    return this.stop();
  };
}
