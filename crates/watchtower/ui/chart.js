// A stacked bar chart of events per level over time, drawn as SVG from the
// answer of GET /event-stats ({bucket, from, to, buckets: [{start, total, debug, …}]}).

import { axisLabel, dateTime, esc } from './util.js';

export const LEVELS = ['debug', 'info', 'warning', 'error', 'critical'];

const HEIGHT = 200;
const PAD = { top: 10, right: 10, bottom: 24, left: 44 };

/** The smallest "round" number (1, 2 or 5 times a power of ten) at or above `n`. */
function niceCeil(n) {
  if (n <= 5) return Math.max(1, Math.ceil(n));
  const power = 10 ** Math.floor(Math.log10(n));
  for (const step of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (step * power >= n) return step * power;
  return 10 * power;
}

/** Which bucket suits a range: about 60 to 360 bars. */
export function bucketFor(fromMs, toMs) {
  if (!Number.isFinite(fromMs)) return 'hour';
  const span = (Number.isFinite(toMs) ? toMs : Date.now()) - fromMs;
  if (span <= 6 * 3600_000) return 'minute';
  if (span <= 15 * 86400_000) return 'hour';
  return 'day';
}

/** The chart's SVG and legend as HTML, drawn `width` pixels wide (text stays undistorted). */
export function renderChart(stats, width = 800) {
  const WIDTH = Math.max(280, Math.round(width));
  const buckets = Array.isArray(stats.buckets) ? stats.buckets : [];
  const totals = Object.fromEntries(LEVELS.map((level) => [level, 0]));
  let max = 0;
  for (const b of buckets) {
    max = Math.max(max, b.total);
    for (const level of LEVELS) totals[level] += b[level] ?? 0;
  }
  const sum = LEVELS.reduce((n, level) => n + totals[level], 0);
  const top = niceCeil(max);
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const step = plotW / Math.max(1, buckets.length);
  const gap = step > 4 ? Math.min(2, step * 0.2) : 0;
  const base = PAD.top + plotH;
  const per = stats.bucket ?? 'hour';

  const parts = [];
  for (const fraction of [0, 0.5, 1]) {
    const y = base - fraction * plotH;
    const value = Math.round(top * fraction);
    if (fraction > 0 && fraction < 1 && top * fraction !== value) continue;
    parts.push(`<line class="grid" x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y}" y2="${y}"/>`
      + `<text class="axis" x="${PAD.left - 6}" y="${y + 4}" text-anchor="end">${value}</text>`);
  }
  buckets.forEach((b, i) => {
    if (!b.total) return;
    const x = PAD.left + i * step + gap / 2;
    const w = Math.max(0.5, step - gap);
    let y = base;
    const rects = [];
    const lines = [];
    for (const level of LEVELS) {
      const count = b[level] ?? 0;
      if (!count) continue;
      const h = (count / top) * plotH;
      y -= h;
      rects.push(`<rect class="bar bar-${level}" data-level="${level}" x="${x.toFixed(2)}" y="${y.toFixed(2)}" width="${w.toFixed(2)}" height="${h.toFixed(2)}"/>`);
      lines.push(`${count} ${level}`);
    }
    const title = `${dateTime(Date.parse(b.start))}: ${b.total} event${b.total === 1 ? '' : 's'} (${lines.join(', ')})`;
    parts.push(`<g class="bucket"><title>${esc(title)}</title>${rects.join('')}</g>`);
  });
  if (buckets.length > 0) {
    const last = buckets.length - 1;
    // Three labels where they fit, the two ends on a phone.
    const ticks = last === 0 ? [0] : WIDTH < 560 ? [0, last] : [0, Math.floor(last / 2), last];
    for (const i of ticks) {
      const x = PAD.left + i * step + step / 2;
      const anchor = i === 0 ? 'start' : i === buckets.length - 1 ? 'end' : 'middle';
      const ax = i === 0 ? PAD.left : i === buckets.length - 1 ? WIDTH - PAD.right : x;
      parts.push(`<text class="axis" x="${ax.toFixed(1)}" y="${HEIGHT - 6}" text-anchor="${anchor}">${esc(axisLabel(Date.parse(buckets[i].start), per))}</text>`);
    }
  }
  parts.push(`<line class="baseline" x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${base}" y2="${base}"/>`);

  const range = `${dateTime(Date.parse(stats.from))} to ${dateTime(Date.parse(stats.to))}`;
  const summary = sum === 0
    ? `No events from ${range}.`
    : `${sum} events per ${per} from ${range}: ${LEVELS.filter((l) => totals[l]).map((l) => `${totals[l]} ${l}`).join(', ')}.`;
  const legend = LEVELS.map((level) => `<li><span class="swatch swatch-${level}" aria-hidden="true"></span>${level} <span class="muted">${totals[level]}</span></li>`).join('');
  return `<svg class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${esc(summary)}" data-bucket="${esc(per)}">${parts.join('')}</svg>
    <ul class="legend" aria-hidden="true">${legend}<li class="muted">per ${esc(per)}</li></ul>`;
}
