// The services as the server sees them, kept current by GET /services/stream:
// a snapshot (GET /) read once the stream is subscribed, then every change.
// `late` is never sent on the stream: the page shows it from the deadline and grace.

import { follow, getJson } from './api.js';

const STATUS_RANK = { up: 0, late: 0, dead: 1, paused: 2 };

/** A service from the API, with its dates parsed once. */
export function prepare(service) {
  return {
    ...service,
    lastPulseMs: Date.parse(service.lastPulse),
    deadlineMs: Date.parse(service.deadline),
  };
}

/**
 * Whether `incoming` is at least as recent as `known`. A service's state only
 * moves forward: a later pulse, or for the same pulse, up before dead.
 */
function notOlder(incoming, known) {
  if (!known) return true;
  if (incoming.lastPulseMs !== known.lastPulseMs) return incoming.lastPulseMs > known.lastPulseMs;
  // Resuming moves a paused service's deadline on without a pulse.
  if (known.status === 'paused' && incoming.status !== 'paused') return incoming.deadlineMs > known.deadlineMs;
  return (STATUS_RANK[incoming.status] ?? 0) >= (STATUS_RANK[known.status] ?? 0);
}

/** When an up service with grace turns late (its expected time), or null. */
export function lateAt(service) {
  return service.status === 'up' && service.grace > 0 ? service.deadlineMs - service.grace * 1000 : null;
}

/** The status to show at `now`: the server's, or `late` once an up service is past its expected time. */
export function shownStatus(service, now) {
  const late = lateAt(service);
  return late !== null && now >= late ? 'late' : service.status;
}

/** Whether two snapshots hold the same services in the same states. */
function sameSnapshot(a, b) {
  if (!a || a.size !== b.size) return false;
  for (const [name, service] of b) {
    const known = a.get(name);
    if (!known || JSON.stringify({ ...known }) !== JSON.stringify({ ...service })) return false;
  }
  return true;
}

function snapshotOf(list) {
  const snapshot = new Map();
  for (const raw of list) snapshot.set(raw.service, prepare(raw));
  return snapshot;
}

/**
 * Follows the services until `signal` aborts. `onSnapshot(map)` gets every
 * service by name: first as soon as GET / answers, read beside the stream's
 * opening so that the first screen waits for one round trip, not two; then again
 * from a snapshot read once the stream is subscribed (which closes the gap
 * between the two), and after each reconnection, when it differs. Then
 * `onChange(service, previous)` and `onCancel(name)` per change. Changes that
 * arrive while a snapshot is being read are applied to it afterwards, unless the
 * snapshot is already newer.
 */
export function followServices({ signal, onSnapshot, onChange, onCancel, onState, onError }) {
  let services = null;
  let pending = null;

  getJson('/', { signal }).then((list) => {
    if (services || signal.aborted) return;
    services = snapshotOf(list);
    onSnapshot(services);
  }, () => {
    // The snapshot read after subscribing reports failures.
  });

  const apply = (event, data) => {
    let body;
    try {
      body = JSON.parse(data);
    } catch {
      return;
    }
    if (event === 'service' && body && typeof body.service === 'string') {
      const service = prepare(body);
      const previous = services.get(service.service);
      // Streams may deliver a change the snapshot already holds, or an older one.
      if (!notOlder(service, previous)) return;
      services.set(service.service, service);
      onChange(service, previous);
    } else if (event === 'cancelled' && body && typeof body.service === 'string') {
      if (services.delete(body.service)) onCancel(body.service);
    }
  };

  follow('/services/stream', {
    signal,
    onState,
    async onOpen() {
      pending = [];
      let list;
      try {
        list = await getJson('/', { signal });
      } catch (error) {
        pending = null;
        if (error.name !== 'AbortError') onError?.(error);
        return;
      }
      const snapshot = snapshotOf(list);
      const late = pending;
      pending = null;
      for (const [event, data] of late) {
        try {
          const body = JSON.parse(data);
          if (event === 'service') {
            const incoming = prepare(body);
            if (notOlder(incoming, snapshot.get(incoming.service))) snapshot.set(incoming.service, incoming);
          } else if (event === 'cancelled') {
            snapshot.delete(body.service);
          }
        } catch {
          // A malformed message changes nothing.
        }
      }
      const unchanged = sameSnapshot(services, snapshot);
      services = snapshot;
      if (!unchanged && !signal.aborted) onSnapshot(services);
    },
    onMessage(event, data) {
      if (pending) pending.push([event, data]);
      else if (services) apply(event, data);
    },
  });
}
