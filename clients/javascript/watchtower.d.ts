// Type declarations for watchtower.js, the Watchtower client.

/** Default time, in milliseconds, that one request may take. */
export declare const DEFAULT_TIMEOUT_MS: 10000;

/** A channel configured on the server. */
/** A channel the server has configured (any other string is sent as is, for channels added later). */
export type AlertType =
  | 'mail' | 'pushover' | 'webhook' | 'slack' | 'teams' | 'discord' | 'telegram' | 'ntfy'
  | 'gotify' | 'matrix' | 'pagerduty' | 'opsgenie' | 'exec' | 'route' | (string & {});

/** Event levels, least to most severe. The server also accepts `warn`, and any case. */
export type Level = 'debug' | 'info' | 'warning' | 'error' | 'critical';

/** An RFC 3339 date in UTC, as the server writes it: `2026-11-25T06:12:32.660Z`. */
export type DateString = string;

/**
 * Where a service stands. Any other string may come from a newer server: treat
 * a status you do not know as neither up nor dead.
 * - `up`: pulsing in time.
 * - `late`: past its expected time but within its `grace`: shown, not alerted
 *   (worked out when services are listed, `services()`).
 * - `dead`: no pulse by its `deadline`; alerted.
 * - `paused`: neither dies nor alerts until it pulses or is resumed (`pause()`, `resume()`).
 * - `new`: declared (`declare()`), never pulsed; dead, and alerted, if its first
 *   pulse is not in by its `deadline`.
 */
export type ServiceStatus = 'up' | 'late' | 'dead' | 'paused' | 'new' | (string & {});

/** A monitored service, as the server answers it. */
export interface Service {
  service: string;
  alertType: AlertType;
  /** An e-mail address, a Pushover key, or the name of a configured webhook. */
  alertTarget: string;
  /**
   * Seconds the service promised between pulses; with a `schedule`, the seconds
   * from its last pulse to the schedule's next time.
   */
  nextIn: number;
  /** The cron expression its next pulse is due by, when it pulses on a schedule. */
  schedule?: string;
  /** The IANA time zone of its `schedule` (`UTC` unless the pulse gave one). */
  tz?: string;
  /** Seconds past the expected time before it is dead, when the pulse gave them. */
  grace?: number;
  /**
   * When it was first seen: its first pulse, or its declaration. Absent for a
   * service stored by an older server that did not record it.
   */
  firstSeen?: DateString;
  /** When it last pulsed; while `new`, when it was declared. `new Date(service.lastPulse)` for a Date. */
  lastPulse: DateString;
  /**
   * `lastPulse + nextIn + grace` (after `resume()`, that window counted from the
   * resume): when it is declared dead without another pulse. Not in force while paused.
   */
  deadline: DateString;
  /** `up`, `late`, `dead`, `paused`, `new`, or a status added later: see ServiceStatus. */
  status: ServiceStatus;
  /** Seconds between reminders while dead (0: none), when the pulse gave it. */
  remindEvery?: number;
  /** The service this one depends on, when the pulse gave it. */
  dependsOn?: string;
  /** Since when the service has been flapping, while it is. */
  flappingSince?: DateString;
  /** `true` while it was declared and never pulsed (`new`, or dead without a first pulse); absent otherwise. */
  neverPulsed?: true;
  /** When the run under way began (`start()`); absent when no run is under way (its next pulse or `fail()` ends it). */
  runningSince?: DateString;
}

/**
 * What a ping said. Any other string may come from a newer server.
 * - `pulse`: alive (a pulse, a ping URL's success, a Kuma `up`, an Alertmanager watchdog).
 * - `start`: a run began (`start()`); it pulses too.
 * - `fail`: the run failed (`fail()`); the service is dead at once.
 * - `log`: output only, no change to the service.
 */
export type PingKind = 'pulse' | 'start' | 'fail' | 'log' | (string & {});

/**
 * How a ping came in. Any other string may come from a newer server.
 * `api`: the API (this client); `cli`: the API, from the `watchtower` command line;
 * `ping`: a ping URL; `kuma`: an Uptime Kuma push URL; `alertmanager`: Prometheus Alertmanager's webhook.
 */
export type PingSource = 'api' | 'cli' | 'ping' | 'kuma' | 'alertmanager' | (string & {});

/** One ping of a service's history (`GET /services/{name}/pings`); the optional fields are absent when unknown. */
export interface Ping {
  /** When the server received it. */
  date: DateString;
  kind: PingKind;
  source: PingSource;
  /** The client's address (behind a trusted proxy, the client it forwarded for), e.g. `127.0.0.1`. */
  client?: string;
  /** The request's `User-Agent`, its first 256 bytes. */
  userAgent?: string;
  /** The body's first KiB (for a `fail`, its message). */
  body?: string;
  /** Seconds since the run's start, on the `pulse` or `fail` that ended a run `start()` began. */
  duration?: number;
  /**
   * How many pulses this entry stands for, when more than one: identical plain pulses (no body,
   * the same source, client and user agent, not ending a run) within 60 seconds of the entry's
   * first are folded into it. Absent means 1.
   */
  count?: number;
  /** When the last pulse folded into this entry came (`date` is the first's); absent when `count` is. */
  lastDate?: DateString;
}

/** Which services to list (`GET /`); every filter is optional. */
export interface ServiceFilters {
  /** Only services whose names start with it: 1 to 255 characters. */
  prefix?: string;
  /**
   * Only services in this status, or in one of these (sent comma-separated:
   * `['dead', 'late']` is `status=dead,late`). A status the server does not
   * know is an InvalidRequestError naming `status`.
   */
  status?: ServiceStatus | readonly ServiceStatus[];
}

/** Which page of services to list (`GET /` with `limit`). */
export interface ServicePageFilters extends ServiceFilters {
  /** Services per page: 1 to 10000. Without it, one page holds every match. */
  limit?: number;
  /** Where the page starts: a previous page's `nextCursor` (with the same filters). */
  cursor?: string;
}

/** One page of services, sorted by name. */
export interface ServicePage {
  services: Service[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** Which pings to list. */
export interface PingFilters {
  /** At most this many, newest first: 1 to 10000. Default: all that are kept (the last 100 unless configured otherwise). */
  limit?: number;
}

/** What a failed run reports (`POST /services/{name}/fail`). */
export interface FailReport {
  /** What failed, e.g. the exit status and the last output; recorded as an `error` event. Default: `run failed`. */
  message?: string;
}

/** An attribute's value: a string, a number or a boolean. */
export type AttributeValue = string | number | boolean;

/**
 * An event's attributes: names (1–128 characters, no control characters) to
 * values. At most 32 names, 4,096 bytes as JSON.
 */
export type Attributes = Record<string, AttributeValue>;

/** A stored event. */
export interface Event {
  id: number;
  service: string;
  level: Level;
  message: string;
  /** When the server received it. */
  date: DateString;
  /** Its attributes, sorted by name; `{}` when it has none. */
  attributes: Attributes;
}

/** What every pulse takes, whether its next one is due in `nextIn` seconds or on a `schedule`. */
export interface PulseCommon {
  /** 1–255 printable characters. */
  service: string;
  alertType: AlertType;
  alertTarget: string;
  /**
   * How long past the expected time the service may be late before it is dead:
   * seconds (at least 0, at most one year), or a duration such as `'90s'`, `'15m'`, `'2h'`, `'1d'`.
   */
  grace?: number | string;
  /** Seconds between reminders while the service stays dead; 0 for none. */
  remindEvery?: number;
  /** The service this one depends on. */
  dependsOn?: string;
}

/** A pulse whose next one is due within `nextIn` seconds. */
export interface IntervalPulseOptions extends PulseCommon {
  /** Seconds until the next pulse is due: at least 0.1 s, fractions allowed, at most one year (31536000 s). */
  nextIn: number;
  schedule?: undefined;
  tz?: undefined;
}

/** A pulse whose next one is due at the next time of a cron `schedule`. */
export interface ScheduledPulseOptions extends PulseCommon {
  nextIn?: undefined;
  /**
   * A five-field cron expression (minute hour day-of-month month day-of-week:
   * `'0 9 * * 1-5'`, `'0 8-18/2 * * MON-FRI'`, `'30 3 1 JAN,JUL *'`) or `@hourly`, `@daily`,
   * `@weekly`, `@monthly`, `@yearly` (`@annually`). One that never comes (`'0 0 30 2 *'`)
   * is an InvalidRequestError (422) naming `schedule`.
   */
  schedule: string;
  /** The IANA time zone the schedule is read in, e.g. `'Europe/Berlin'`. Default UTC. */
  tz?: string;
}

/** Exactly one of `nextIn` and `schedule`; `tz` only with `schedule`. */
export type PulseOptions = IntervalPulseOptions | ScheduledPulseOptions;

/**
 * What `declare()` takes: a pulse's options. `service` is sent in the path
 * (`PUT /services/{name}`), not in the body.
 */
export type DeclareOptions = PulseOptions;

/**
 * What `start()` may take: a pulse's settings, `service` left out (it is sent
 * in the path) or the same name.
 */
export type StartSettings =
  | (Omit<IntervalPulseOptions, 'service'> & { service?: string })
  | (Omit<ScheduledPulseOptions, 'service'> & { service?: string });

export interface NewEvent {
  service: string;
  /** `debug`, `info`, `warning` (or `warn`), `error` or `critical`, in any case. */
  level: Level | 'warn' | Uppercase<Level> | Capitalize<Level> | (string & {});
  /** 1 byte to 64 KiB, no NUL characters. */
  message: string;
  /**
   * Names to strings, numbers or booleans, e.g. `{ host: 'web-1', status: 503 }`; sent as given,
   * checked by the server (InvalidRequestError naming `attributes`). Undefined or null: none.
   */
  attributes?: Attributes | null;
}

/** A date filter: a Date, an RFC 3339 string, or Unix epoch seconds. */
export type DateFilter = Date | string | number;

export interface EventFilters {
  /** Exact service name. */
  service?: string;
  /** At or after. */
  from?: DateFilter;
  /** At or before. */
  to?: DateFilter;
  /** This level or above. */
  level?: Level | 'warn';
  /** Case-insensitive substring of the message. */
  message?: string;
  /** `desc` (default, newest first) or `asc`. */
  order?: 'asc' | 'desc';
  /** Events per page: default 100, at most 10000. */
  limit?: number;
  /** Where the page starts: a previous page's `nextCursor` (with the same filters). */
  cursor?: string;
  /**
   * Only events having every one of these attributes with this value, sent as `attr.NAME=VALUE`
   * and compared as text (a number in the server's JSON form, a boolean as `true`/`false`).
   * Names given undefined or null are left out.
   */
  attributes?: Record<string, AttributeValue | null | undefined>;
}

export interface EventPage {
  events: Event[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** What a credential may do; each scope but `ingest` includes the ones before it. */
export type Scope = 'read' | 'ingest' | 'write' | 'admin';

/** An API key as the server lists it: everything but its secret. */
export interface ApiKey {
  /** Letters, digits, `-`, `_` and `.`. */
  name: string;
  scope: Scope;
  /** Only services whose names start with it; null for every service. */
  prefix: string | null;
  created: DateString;
  /** When it stops working; null: until revoked. */
  expires: DateString | null;
  /** When it was revoked; null while live. */
  revoked: DateString | null;
  /** When it was last used, to within a second or so; null if never. */
  lastUsed: DateString | null;
}

/** A key just created: with its secret, which no later answer holds. */
export interface CreatedKey extends ApiKey {
  /** `wtk_…`: give it to a WatchtowerClient as its `password`. */
  secret: string;
}

export interface NewKey {
  /** Letters, digits, `-`, `_` and `.`; no live key may have it already (409). */
  name: string;
  /**
   * `read` (every read), `ingest` (pulses and events only, no reads), `write`
   * (ingest and read, plus declaring, cancelling, pausing, resuming and snoozing) or `admin` (everything, keys included).
   */
  scope: Scope;
  /** Only services whose names start with it. Not for an `admin` key. */
  prefix?: string;
  /** How long it works: a duration such as `'90d'` or `'12h'`. Absent: until revoked. */
  expiresIn?: string;
}

/** Who a credential is, and what its scope allows (`GET /whoami`). */
export interface Identity {
  /** The key's or the user's name, or `password`. */
  name: string;
  /** `password`, `key`, or `user` (signed in by a trusted proxy). */
  kind: 'password' | 'key' | 'user';
  scope: Scope;
  /** Only services whose names start with it; null for every service. */
  prefix: string | null;
  /** What the scope allows, of `read`, `ingest`, `write` and `admin`. */
  may: Scope[];
}

/** Where a test alert goes (`POST /test-alert`). */
export interface TestAlert {
  /** A channel the server has configured, or `route` for each channel of a configured route. */
  alertType: AlertType;
  /** An e-mail address, the name of a configured webhook, the name of a route… as a pulse takes it. */
  alertTarget: string;
}

/** A channel that took a test alert (a route's channels are listed one by one). */
export interface Delivery {
  alertType: AlertType;
  alertTarget: string;
}

/**
 * What an alert is about. Any other string may come from a newer server.
 * - `down`, `up`: a service died, or recovered.
 * - `reminder`: it is still dead.
 * - `flapping`, `stable`: it started, or stopped, dying and recovering over and over.
 * - `digest`: several alerts of a storm gathered into one (its `service` is `*`).
 * - `event`: an event matched an event rule.
 */
export type AlertKind =
  | 'down' | 'up' | 'reminder' | 'flapping' | 'stable' | 'digest' | 'event' | (string & {});

/**
 * Where an alert stands. Any other string may come from a newer server.
 * - `pending`: waiting for triage, delivery, or a retry after a failed attempt.
 * - `sent`: delivered.
 * - `failed`: given up on (a permanent refusal).
 * - `cancelled`: its service was cancelled or paused before it went out.
 * - `suppressed`: kept back by the policy (snoozed, flapping, a recovery that came too soon).
 * - `digested`: folded into a digest, which went out instead.
 */
export type AlertState =
  | 'pending' | 'sent' | 'failed' | 'cancelled' | 'suppressed' | 'digested' | (string & {});

/** An alert as it fared (`GET /alerts`). */
export interface AlertRecord {
  /** The server's id for the alert, increasing with each alert. */
  id: number;
  kind: AlertKind;
  /** The service it is about; `*` for a digest. */
  service: string;
  alertType: AlertType;
  /** The address, key, or configured name it goes to. */
  alertTarget: string;
  /** When the server made it. */
  created: DateString;
  state: AlertState;
  /** Delivery attempts so far. */
  attempts: number;
  /** The channel's last error, when an attempt failed (`transient: HTTP 503 …`). */
  lastError?: string;
  /** When it is tried next; only while `pending`. */
  nextAttempt?: DateString;
  /** On one channel's delivery of an alert to a route: the `id` of the route's alert. */
  fannedFrom?: number;
}

/** Which alerts to list; every filter is optional. */
export interface AlertFilters {
  /** Exact service name. */
  service?: string;
  /** Only alerts in this state, or `failing`: pending after a failed attempt. */
  state?: 'pending' | 'sent' | 'failed' | 'cancelled' | 'suppressed' | 'digested' | 'failing' | (string & {});
  /** At most this many: 1 to 1000, default 100. */
  limit?: number;
}

/** What a schedule is explained with (`GET /schedule`). */
export interface ScheduleQuery {
  /** The IANA time zone the expression is read in, e.g. `'Europe/Berlin'`. Default UTC. */
  tz?: string;
  /** How many next times: 1 to 20. Default 5. */
  count?: number;
}

/** A cron expression explained (`GET /schedule`). */
export interface ScheduleExplanation {
  /** The expression, as the server read it. */
  schedule: string;
  /** Its IANA time zone (`UTC` unless one was given). */
  tz: string;
  /** In words: `At 02:30, on Monday, Tuesday, Wednesday, Thursday, and Friday.` */
  description: string;
  /** Its next times after now, oldest first. */
  next: DateString[];
}

/** A UTC day, `2026-12-03`. */
export type DayString = string;

/** Every service's uptime on each of the last 30 UTC days (`GET /uptime`). */
export interface DailyUptime {
  /** The 30 days, oldest first; today, so far, last. */
  dates: DayString[];
  /**
   * Per service, the share (0 to 1) of each day of `dates` it was up, in their order;
   * `null` for a day before it was first seen.
   */
  services: Record<string, (number | null)[]>;
}

/**
 * What a channel takes as `alertTarget`. Any other string may come from a newer server.
 * - `email`: an e-mail address.
 * - `named`: one of the channel's `targets` (a configured name).
 * - `pattern`: text matching the channel's `pattern` (an ntfy topic…).
 */
export type TargetForm = 'email' | 'named' | 'pattern' | (string & {});

/** A channel the server has configured, and what it takes as `alertTarget`. */
export interface ChannelInfo {
  alertType: AlertType;
  form: TargetForm;
  /** The names it takes (for `route`, the routes); only when `form` is `named`. */
  targets?: string[];
  /** A regular expression a target must match; only when `form` is `pattern`. */
  pattern?: string;
  /** The longest target, in characters; only when `form` is `pattern`. */
  maxChars?: number;
}

/** One channel of a route. */
export interface RouteStep {
  alertType: AlertType;
  alertTarget: string;
}

/** A configured route: an alert to it goes through each of its steps. */
export interface RouteInfo {
  name: string;
  steps: RouteStep[];
}

/** A configured ping key, by name; never the key itself. */
export interface PingKeyInfo {
  name: string;
  /** The one service `/api/push/<key>` pulses when the URL names none; null if none. */
  service: string | null;
  /** It may ping services whose names start with this…; null if none. */
  prefix: string | null;
  /** …or these. With neither, any service. */
  services: string[];
  /** Where alerts of services first seen through it go; null (both) if unset. */
  alertType: AlertType | null;
  alertTarget: string | null;
}

/** What the server can alert (`GET /channels`), by name: no URL, token or key is ever in it. */
export interface Channels {
  channels: ChannelInfo[];
  routes: RouteInfo[];
  pingKeys: PingKeyInfo[];
}

/** Options of a single call. */
export interface CallOptions {
  /** Aborts the request; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Overrides the client's `timeoutMs` for this call. */
  timeoutMs?: number;
}

export interface WatchtowerClientOptions {
  /**
   * Base URL of the server, e.g. `https://watchtower.example.com:8080`. A path
   * prefix (behind a reverse proxy) is kept; in browsers a relative URL such as
   * `/watchtower` works too.
   */
  url: string;
  /**
   * The API password, or an API key's secret (`wtk_…`): either is sent in the
   * `password` header, and a key may do what its scope and prefix allow.
   */
  password: string;
  /** Time one request may take, in milliseconds; 0 or Infinity for none. Default 10000. */
  timeoutMs?: number;
  /** A fetch implementation to use instead of the global `fetch`. */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  /**
   * Extra options merged into every fetch call: for example
   * `{ dispatcher: new Agent({ connect: { ca } }) }` with undici in Node, or
   * `{ credentials: 'include' }` in a browser. `headers` must be a plain object.
   */
  fetchOptions?: RequestInit & { dispatcher?: unknown; headers?: Record<string, string> };
}

/** A client for one Watchtower server. Every method rejects with a WatchtowerError subclass on failure. */
export declare class WatchtowerClient {
  constructor(options: WatchtowerClientOptions);
  /** The base URL requests go to, without a trailing slash. */
  readonly url: string;
  /** The default time one request may take, in milliseconds. */
  readonly timeoutMs: number;

  /**
   * Sends a heartbeat, the next one due within `nextIn` seconds or at the next
   * time of `schedule` (plus `grace`); resolves to the service as the server now
   * sees it. Rejects with a TypeError, sending nothing, unless exactly one of
   * `nextIn` and `schedule` is given and `tz` only with `schedule`. A pulse ends a pause.
   */
  pulse(pulse: PulseOptions, options?: CallOptions): Promise<Service>;
  /**
   * Declares a service before its first pulse, or changes how a monitored one is watched
   * (`PUT /services/{name}`). Not monitored yet: created with status `new`, `neverPulsed`,
   * `lastPulse` and `firstSeen` now, and dead (alerted) if no pulse is in by its first expected
   * time plus `grace`. Monitored: the settings that differ are changed, its deadline counted
   * again from its last pulse, its status kept; declared as it is, nothing changes. Resolves to
   * the service. The server checks the body: InvalidRequestError naming `nextIn` (neither
   * `nextIn` nor `schedule`), `schedule`, `tz`, `grace`, …; ForbiddenError below scope `write`
   * or outside a key's prefix; a TypeError, sending nothing, for an empty name or `.` or `..`.
   */
  declare(declaration: DeclareOptions, options?: CallOptions): Promise<Service>;
  /** Stops monitoring a service; resolves to it. NotFoundError if there is none. */
  cancel(service: string, options?: CallOptions): Promise<Service>;
  /**
   * Pauses a service: it neither dies nor alerts (alerts not yet sent are dropped)
   * until it pulses or is resumed. Resolves to it, status `paused`; a paused service
   * is answered unchanged. NotFoundError if there is none; ForbiddenError below scope
   * `write`. A TypeError, sending nothing, for an empty name or `.` or `..` (which no
   * URL path can carry).
   */
  pause(service: string, options?: CallOptions): Promise<Service>;
  /**
   * Resumes a paused service with a fresh window from now (its `nextIn`, or its
   * schedule's next time, plus its grace). Resolves to it, status `up`; a service
   * that is not paused is answered unchanged. NotFoundError if there is none;
   * ForbiddenError below scope `write`; a TypeError as for `pause()`.
   */
  resume(service: string, options?: CallOptions): Promise<Service>;
  /**
   * Starts a run (`POST /services/{name}/start`): pulses the service, which is `runningSince`
   * now until its next pulse or `fail()`, and the ping that ends the run carries its `duration`.
   * Without `settings` (or with none of its fields given) no body is sent and the service
   * pulses with its own settings: NotFoundError if it is not monitored. With them, it pulses
   * with those (a service not monitored yet is created); the server checks them as for
   * `declare()` (InvalidRequestError). ForbiddenError below scope `ingest` or outside a key's
   * prefix; a TypeError, sending nothing, for an empty name, `.` or `..`, or a call option
   * (`timeoutMs`, `signal`) among the settings: they go third, `start(name, undefined, { timeoutMs })`.
   */
  start(service: string, settings?: StartSettings | null, options?: CallOptions): Promise<Service>;
  /**
   * Reports a failed run (`POST /services/{name}/fail`): `message` becomes an `error` event and
   * the body of a `fail` ping, and the service is dead, and alerted, at once. Without a message
   * no body is sent. Resolves to the service, status `dead`. NotFoundError if it is not monitored;
   * ForbiddenError below scope `ingest` or outside a key's prefix; a TypeError as for `start()`.
   */
  fail(service: string, report?: FailReport | null, options?: CallOptions): Promise<Service>;
  /**
   * Every monitored service matching `filters` (`prefix`, `status`), sorted by name, each
   * `status` as of now (`late` included), in one answer (`GET /`). Call options go second:
   * `services(undefined, { timeoutMs })`. InvalidRequestError naming `prefix` or `status` for a
   * value the server refuses, or `query` for an unknown filter; ForbiddenError unless the
   * credential may read (a key with a prefix sees only its services); a TypeError, sending
   * nothing, for `limit` or `cursor` (a page at a time is `listServices()`), an empty or
   * non-string `prefix`, an empty `status`, or a call option among other filters.
   */
  services(filters?: ServiceFilters | null, options?: CallOptions): Promise<Service[]>;
  /**
   * The one-argument form of earlier versions, still accepted: an object holding nothing but
   * call options is taken as them (`services({ signal })`).
   */
  services(options: CallOptions): Promise<Service[]>;
  /**
   * One page of the services matching `filters`, sorted by name, and the cursor of the next
   * (`GET /` with `limit` and `cursor`); following the cursors visits each match once. Without
   * `limit`, one page holds every match. Rejects as `services()` does, and with
   * InvalidRequestError naming `limit` or `cursor` for a value the server refuses.
   */
  listServices(filters?: ServicePageFilters | null, options?: CallOptions): Promise<ServicePage>;
  /**
   * The service's ping history, newest first (`GET /services/{name}/pings`): every pulse,
   * start, fail and log, with where it came from. NotFoundError if it is not monitored;
   * InvalidRequestError naming `limit` for a value the server refuses; ForbiddenError unless
   * the credential may read the service; a TypeError as for `start()`.
   */
  pings(service: string, filters?: PingFilters | null, options?: CallOptions): Promise<Ping[]>;
  /**
   * Explains a cron expression (`GET /schedule`): in words, with its next `count` times (default
   * 5, at most 20) in the zone `tz` (default UTC). InvalidRequestError naming `schedule`, `tz` or
   * `count` for a value the server refuses; ForbiddenError unless the credential may read; a
   * TypeError, sending nothing, for an empty expression or a call option among the query's fields
   * (they go third, `explainSchedule(expr, undefined, { timeoutMs })`).
   */
  explainSchedule(schedule: string, query?: ScheduleQuery | null, options?: CallOptions): Promise<ScheduleExplanation>;
  /**
   * Every service's uptime on each of the last 30 UTC days (`GET /uptime`), today last. A key
   * with a prefix sees only its services; ForbiddenError unless the credential may read.
   */
  dailyUptime(options?: CallOptions): Promise<DailyUptime>;
  /**
   * What the server can alert (`GET /channels`): its channels and the targets each takes, its
   * routes and its ping keys, by name and never with a secret. ForbiddenError unless the
   * credential may read.
   */
  channels(options?: CallOptions): Promise<Channels>;
  /**
   * Sends a test message now through a channel (or each channel of a route); resolves to the
   * channels that took it. Never queued or retried, by the server or the client.
   * ServerUnavailableError (502, the server's message naming each channel that refused it and
   * its error); InvalidRequestError naming `alertType` or `alertTarget` for a target the server
   * cannot alert; ForbiddenError below scope `write`.
   */
  testAlert(alert: TestAlert, options?: CallOptions): Promise<Delivery[]>;
  /**
   * Alerts as they fared, newest first (sent, pending a retry and why, given up, kept back).
   * InvalidRequestError naming `state` or `limit` for a value the server refuses; ForbiddenError
   * unless the credential may read, or for a service outside a key's prefix (which sees only its
   * services' alerts).
   */
  alerts(filters?: AlertFilters, options?: CallOptions): Promise<AlertRecord[]>;
  /** Records an event, with its attributes if given; resolves to it as stored. */
  addEvent(event: NewEvent, options?: CallOptions): Promise<Event>;
  /** One page of matching events (filtered by `attributes` too) and the cursor of the next. */
  listEvents(filters?: EventFilters, options?: CallOptions): Promise<EventPage>;
  /** Every matching event, following the pages (`limit` is the page size). */
  events(filters?: EventFilters, options?: CallOptions): AsyncGenerator<Event, void, undefined>;
  /** Who this client's credential is, and what it may do. Any scope may ask. */
  whoami(options?: CallOptions): Promise<Identity>;
  /** Creates an API key (admin); the answer holds its secret, shown this once. 409 if a live key has the name. */
  createKey(key: NewKey, options?: CallOptions): Promise<CreatedKey>;
  /** Every API key, live and revoked, without secrets (admin). */
  keys(options?: CallOptions): Promise<ApiKey[]>;
  /** Revokes the live key named `name` (admin); resolves to it. NotFoundError if there is none. */
  revokeKey(name: string, options?: CallOptions): Promise<ApiKey>;
  /** Creates and starts a Heartbeat for this client. */
  heartbeat(options: HeartbeatOptions): Heartbeat;
}

/** A heartbeat pulses at a fixed rate, so it takes `nextIn`, not a `schedule`. */
export interface HeartbeatOptions extends PulseCommon {
  /** Seconds until the next pulse is due: at least 0.1 s here. */
  nextIn: number;
  /** Not for a heartbeat (a TypeError): call `pulse({ schedule })` from the scheduled job instead. */
  schedule?: never;
  /** Not for a heartbeat (a TypeError), as `schedule`. */
  tz?: never;
  /** Seconds between pulses; must be less than `nextIn`. Default `nextIn / 2`. */
  every?: number;
  /** Cancel the service when stop() is called, so retiring it raises no alarm. Default false. */
  cancelOnStop?: boolean;
  /** Node: let the heartbeat's timer keep the process alive. Default false (the timer is unref'd). */
  keepAlive?: boolean;
  /** Called with the service after each successful pulse. */
  onPulse?: (service: Service) => void;
  /** Called with the error of each failed pulse. Default: console.warn. Never thrown out of the timer. */
  onError?: (error: Error) => void;
  /**
   * Node: signals (e.g. `['SIGINT', 'SIGTERM']`) on which to stop (and cancel, with
   * `cancelOnStop`) and then let the signal take its default course if nothing
   * else listens for it. Default none.
   */
  signals?: NodeSignal[];
}

type NodeSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP' | 'SIGBREAK' | 'SIGUSR1' | 'SIGUSR2' | (string & {});

/** Pulses a service every `every` seconds until stopped. */
export declare class Heartbeat {
  constructor(client: WatchtowerClient, options: HeartbeatOptions);
  /** The service this heartbeat pulses. */
  readonly service: string;
  /** True between start() and stop(). */
  readonly running: boolean;
  /** The service as answered by the last successful pulse. */
  lastPulse: Service | null;
  /** The error of the last pulse; null once a pulse succeeds. */
  lastError: Error | null;
  /** Number of successful pulses. */
  pulses: number;
  /** Pulses now, then every `every` seconds. */
  start(): this;
  /**
   * Stops pulsing, waits for a pulse in flight, then cancels the service if
   * `cancel` (default: `cancelOnStop`). Rejects if that cancel fails; a service
   * that is already gone counts as cancelled.
   */
  stop(options?: { cancel?: boolean }): Promise<void>;
}

export interface WatchtowerErrorOptions {
  status?: number;
  body?: unknown;
  cause?: unknown;
}

/** Base class of every error a failed request rejects with. */
export declare class WatchtowerError extends Error {
  constructor(message: string, options?: WatchtowerErrorOptions);
  /** The HTTP status, or undefined when no answer came back. */
  readonly status: number | undefined;
  /** The parsed error body (usually `{error: "…"}`), if any. */
  readonly body: unknown;
}

/** 401: the password (or API key) is missing, wrong, expired or revoked. */
export declare class AuthenticationError extends WatchtowerError {}

/** 403: the credential is valid, but its scope or prefix does not allow the request. */
export declare class ForbiddenError extends WatchtowerError {
  /** What refused it: `scope` (too narrow), the field of a service outside the prefix (`service`, …), or `user`. */
  readonly field: string | null;
}

/** 400 or 422: the request was rejected; `field` names what was wrong. */
export declare class InvalidRequestError extends WatchtowerError {
  /** The text before the first `": "` of the server's message (`nextIn`, `schedule`, `tz`, `grace`, `level`, `cursor`, `query`, …). */
  readonly field: string | null;
}

/** 404: no such service, no live key of that name, or no such path (a wrong base URL). */
export declare class NotFoundError extends WatchtowerError {}

/** Network or TLS failure, 503, 502 (a channel did not take a test alert), 429 or another 5xx, or a timeout. Worth retrying later. */
export declare class ServerUnavailableError extends WatchtowerError {}

/** The request took longer than `timeoutMs` (or the server answered 408). */
export declare class RequestTimeoutError extends ServerUnavailableError {}

/** The `cursor` of the `rel="next"` target of a `Link` header, or null. */
export declare function nextCursorFromLink(link: string | null): string | null;
