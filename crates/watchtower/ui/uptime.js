// Uptime bars: one bar per UTC day of the last 30 (GET /uptime for the list,
// GET /service-history's `days` for a service), coloured by how much of the day
// the service was up, with the date and figure in each bar's title.

import { esc, percent } from './util.js';

/** The class of a day's bar: no data, all up, nearly, or an outage. */
function tone(uptime) {
  if (uptime === null || uptime === undefined) return 'none';
  if (uptime >= 1) return 'full';
  return uptime >= 0.99 ? 'most' : 'down';
}

/**
 * An SVG of `days` ([{date, uptime}], oldest first). `wide` draws the service
 * page's larger bars. Screen readers get one sentence, not thirty bars.
 */
export function uptimeBars(days, { wide = false } = {}) {
  if (!days || days.length === 0) return '';
  const width = wide ? 10 : 3;
  const gap = wide ? 3 : 1;
  const height = wide ? 34 : 16;
  const watched = days.filter((d) => d.uptime !== null && d.uptime !== undefined);
  const worst = watched.length ? Math.min(...watched.map((d) => d.uptime)) : null;
  const outages = watched.filter((d) => d.uptime < 1).length;
  const label = watched.length === 0
    ? 'No uptime yet'
    : `Last ${days.length} days: ${outages === 0 ? 'up every day' : `${outages} day${outages === 1 ? '' : 's'} with an outage, worst ${percent(worst)}`}`;
  const bars = days.map((d, i) => `<rect class="day day-${tone(d.uptime)}" x="${i * (width + gap)}" y="0" width="${width}" height="${height}" rx="1">`
    + `<title>${esc(d.date)}: ${d.uptime === null || d.uptime === undefined ? 'not monitored' : `${percent(d.uptime)} up`}</title></rect>`).join('');
  const total = days.length * (width + gap) - gap;
  return `<svg class="uptime-bars${wide ? ' wide' : ''}" role="img" aria-label="${esc(label)}" viewBox="0 0 ${total} ${height}" width="${total}" height="${height}">${bars}</svg>`;
}

/** `/uptime`'s answer as each service's days. */
export function daysByService(answer) {
  const byService = new Map();
  for (const [service, shares] of Object.entries(answer.services ?? {})) {
    byService.set(service, shares.map((uptime, i) => ({ date: answer.dates[i], uptime })));
  }
  return byService;
}
