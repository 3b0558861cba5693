// The JSON API of the same origin, with the credential (the password or an API
// key) in the password header on every call. It lives in sessionStorage: one
// tab's session, no cookie, so no request can be forged from another site.
// Beside it, who the credential is and what its scope may do (`/whoami`).

const KEY = 'watchtower.password';
const IDENTITY = 'watchtower.identity';

/** The server refused the password (401). */
export class AuthError extends Error {
  constructor() {
    super('wrong password');
    this.name = 'AuthError';
  }
}

/** Any other failed call: `status` 0 when the server could not be reached. */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

let unauthorized = () => {};

/** What to do when a call comes back 401: the app signs out. */
export function onUnauthorized(handler) {
  unauthorized = handler;
}

export function storedPassword() {
  return sessionStorage.getItem(KEY);
}

export function storePassword(password) {
  sessionStorage.setItem(KEY, password);
}

export function forgetPassword() {
  sessionStorage.removeItem(KEY);
  keepIdentity(null);
}

/** The parsed identity, read once: views ask `may` for every row they draw. */
let known;

function keepIdentity(who) {
  known = who;
  if (who) sessionStorage.setItem(IDENTITY, JSON.stringify(who));
  else sessionStorage.removeItem(IDENTITY);
}

/** Who is signed in: {name, kind, scope, prefix, may}, or null before it is known. */
export function identity() {
  if (known === undefined) {
    try {
      known = JSON.parse(sessionStorage.getItem(IDENTITY) ?? 'null');
    } catch {
      known = null;
    }
  }
  return known;
}

/** Whether the signed-in scope allows `action`: read, ingest, write or admin. */
export function may(action) {
  return identity()?.may?.includes(action) ?? false;
}

/** Asks the server who the stored credential is, and keeps the answer. */
export async function loadIdentity() {
  const who = await getJson('/whoami');
  keepIdentity(who);
  return who;
}

/**
 * One call. Resolves to the Response when it is 2xx; rejects with AuthError on
 * 401 (after telling the app), ApiError otherwise, or the AbortError of `signal`.
 */
export async function request(path, { method = 'GET', body, accept = 'application/json', signal, password } = {}) {
  const headers = { accept, password: password ?? storedPassword() ?? '' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    if (error instanceof TypeError && /header/i.test(error.message)) {
      throw new ApiError(0, 'the password holds characters that an HTTP header cannot carry');
    }
    throw new ApiError(0, 'cannot reach the Watchtower server');
  }
  if (response.status === 401) {
    if (password === undefined) unauthorized();
    throw new AuthError();
  }
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try {
      const answer = await response.json();
      if (answer && typeof answer.error === 'string') message = answer.error;
    } catch {
      // Not JSON: the status line says enough.
    }
    throw new ApiError(response.status, message);
  }
  return response;
}

export async function getJson(path, options) {
  const response = await request(path, options);
  return response.json();
}

/** A page of a paged resource: its items and the next page's path (from `Link`), if any. */
export async function getPage(path, options) {
  const response = await request(path, options);
  return { items: await response.json(), next: nextLink(response.headers.get('link')) };
}

/** The `rel="next"` target of a Link header (RFC 8288), or null. */
export function nextLink(header) {
  if (!header) return null;
  for (const part of header.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>(.*)$/s.exec(part);
    const rel = match && /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;]+))/i.exec(match[2]);
    if (rel && (rel[1] ?? rel[2]).toLowerCase().split(/\s+/).includes('next')) return match[1];
  }
  return null;
}

/**
 * Signs in with `credential` (the password or a key; the server records the
 * sign-in): keeps it and its identity and resolves to true, or to false when
 * the server refuses it (401); any other failure is thrown.
 */
export async function signIn(credential) {
  let who;
  try {
    who = await getJson('/sign-in', { method: 'POST', password: credential });
  } catch (error) {
    if (error instanceof AuthError) return false;
    throw error;
  }
  storePassword(credential);
  keepIdentity(who);
  return true;
}

/**
 * Fetches `path` as `accept` and saves it as `filename`. A plain link cannot
 * carry the password header, so the body goes through a Blob and an object URL.
 */
export async function download(path, accept, filename) {
  const response = await request(path, { accept });
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has its own reference by now; give it a moment anyway.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return blob.size;
}

/**
 * Follows a Server-Sent Events resource with fetch() (EventSource cannot send
 * the password header), reconnecting with a growing pause until `signal` aborts.
 * `onOpen` runs after each (re)connection, once the server has subscribed us, so
 * that a snapshot read then misses nothing; `onMessage(event, data)` runs per
 * message; `onState` gets 'connecting', 'live' or 'reconnecting'.
 */
export function follow(path, { onOpen, onMessage, onState = () => {}, signal }) {
  (async () => {
    let pause = 1000;
    while (!signal.aborted) {
      try {
        onState('connecting');
        const response = await request(path, { accept: 'text/event-stream', signal });
        onState('live');
        pause = 1000;
        // Not awaited: messages that arrive while onOpen reads a snapshot are
        // read meanwhile, so that onMessage can hold them until it is done.
        Promise.resolve(onOpen?.()).catch(() => {});
        await readMessages(response.body, onMessage);
      } catch (error) {
        if (signal.aborted || error instanceof AuthError) return;
      }
      if (signal.aborted) return;
      onState('reconnecting');
      await sleep(pause, signal);
      pause = Math.min(pause * 2, 15_000);
    }
  })();
}

function sleep(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

/** Reads `event:`/`data:` blocks until the stream ends; comments are skipped. */
async function readMessages(body, onMessage) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    buffer = buffer.replace(/\r\n|\r(?=.)/gs, '\n');
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      dispatch(block, onMessage);
    }
  }
}

function dispatch(block, onMessage) {
  let event = 'message';
  const data = [];
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length > 0) onMessage(event, data.join('\n'));
}
