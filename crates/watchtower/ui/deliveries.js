// A banner over every page while alerts are failing to deliver: which channel,
// its last error, and for which service, so that a wrong SMTP host or a revoked
// webhook is seen before the outage it should have announced.

import { getJson, may } from './api.js';
import { esc } from './util.js';

const EVERY_MS = 30_000;

/** Checks now and then (while signed in with a scope that may read). */
export function watchDeliveries(banner) {
  let timer = null;
  async function check() {
    if (!may('read')) {
      banner.hidden = true;
      return;
    }
    try {
      show(banner, await getJson('/alerts?state=failing&limit=5'));
    } catch {
      // Not signed in any more, or the server is away: the page says so elsewhere.
    }
  }
  return {
    start() {
      clearInterval(timer);
      check();
      timer = setInterval(check, EVERY_MS);
    },
    stop() {
      clearInterval(timer);
      banner.hidden = true;
    },
  };
}

function show(banner, failing) {
  banner.hidden = failing.length === 0;
  if (failing.length === 0) return;
  const items = failing.map((a) => `<li><strong>${esc(a.alertType)} ${esc(a.alertTarget)}</strong>`
    + ` (${esc(a.kind)} alert of ${esc(a.service)}, ${a.attempts} attempt${a.attempts === 1 ? '' : 's'}):`
    + ` <span class="delivery-error">${esc(a.lastError ?? 'no error recorded')}</span></li>`);
  banner.innerHTML = `<p><strong>Alerts are failing to deliver.</strong> They are retried; check the
    channels' settings.</p><ul>${items.join('')}</ul>`;
}
