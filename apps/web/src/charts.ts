/**
 * Plain SVG charts (no library: a few hundred bytes each, nothing to load). Every chart has a
 * title and a text description for screen readers; colours keep 3:1 contrast on white.
 */

export interface Series {
  name: string;
  color: string;
  points: readonly [number, number][];
  /** Dots instead of a line. */
  dots?: boolean;
  dashed?: boolean;
}

export interface LineChartOptions {
  title: string;
  description: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  /** Fixed axis ranges; default: the data's. */
  x?: [number, number];
  y?: [number, number];
  /** A vertical marker (e.g. the chosen sequence length). */
  marker?: { x: number; label: string };
  /** Vertical bars instead of lines: [from, to, height] per bar. */
  bars?: readonly [number, number, number][];
}

const WIDTH = 480;
const HEIGHT = 280;
const PAD = { top: 32, right: 16, bottom: 44, left: 56 };

const escapeXml = (text: string) =>
  text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

export function format(value: number): string {
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1000 || magnitude < 0.01) return value.toPrecision(2);
  return Number(value.toPrecision(3)).toString();
}

function ticks(min: number, max: number, count = 5): number[] {
  if (max <= min) return [min];
  const raw = (max - min) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) {
    out.push(Number(v.toPrecision(12)));
  }
  return out;
}

function extent(values: number[], fallback: [number, number]): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return fallback;
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  return min === max ? [min - 0.5, max + 0.5] : [min, max];
}

let chartCount = 0;

/** A line (or bar) chart as an SVG string. */
export function lineChart(options: LineChartOptions): string {
  const id = `chart-${++chartCount}`;
  const xs = options.series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = options.series.flatMap((s) => s.points.map((p) => p[1]));
  if (options.bars) {
    xs.push(...options.bars.flatMap((b) => [b[0], b[1]]));
    ys.push(0, ...options.bars.map((b) => b[2]));
  }
  if (options.marker) xs.push(options.marker.x);
  const [x0, x1] = options.x ?? extent(xs, [0, 1]);
  const [y0, y1] = options.y ?? extent(ys, [0, 1]);
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const sx = (x: number) => PAD.left + ((x - x0) / (x1 - x0 || 1)) * plotW;
  const sy = (y: number) => PAD.top + plotH - ((y - y0) / (y1 - y0 || 1)) * plotH;
  const parts: string[] = [];
  for (const t of ticks(y0, y1)) {
    parts.push(
      `<line class="grid" x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${sy(t)}" y2="${sy(t)}"/>`,
      `<text class="tick" x="${PAD.left - 6}" y="${sy(t) + 4}" text-anchor="end">${format(t)}</text>`,
    );
  }
  for (const t of ticks(x0, x1)) {
    parts.push(
      `<text class="tick" x="${sx(t)}" y="${HEIGHT - PAD.bottom + 16}" text-anchor="middle">${format(t)}</text>`,
    );
  }
  for (const [from, to, height] of options.bars ?? []) {
    const left = sx(from);
    const width = Math.max(1, sx(to) - left - 1);
    parts.push(
      `<rect class="bar" x="${left}" y="${sy(height)}" width="${width}" height="${sy(0) - sy(height)}"><title>${format(from)}–${format(to)}: ${height}</title></rect>`,
    );
  }
  for (const s of options.series) {
    const points = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    if (s.dots) {
      for (const [x, y] of points) {
        parts.push(`<circle cx="${sx(x)}" cy="${sy(y)}" r="3.5" fill="${s.color}"/>`);
      }
    } else if (points.length > 0) {
      const d = points.map(
        ([x, y], i) => `${i === 0 ? 'M' : 'L'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`,
      );
      const dash = s.dashed ? ' stroke-dasharray="5 4"' : '';
      parts.push(`<path class="series" d="${d.join('')}" stroke="${s.color}"${dash}/>`);
    }
  }
  if (options.marker) {
    const x = sx(options.marker.x);
    // The label goes on the side of the line with room for it.
    const right = x < PAD.left + plotW / 2;
    parts.push(
      `<line class="marker" x1="${x}" x2="${x}" y1="${PAD.top}" y2="${PAD.top + plotH}"/>`,
      `<text class="marker-label" x="${right ? x + 4 : x - 4}" y="${PAD.top + 12}" text-anchor="${right ? 'start' : 'end'}">${escapeXml(options.marker.label)}</text>`,
    );
  }
  const legend = options.series
    .map(
      (s, i) =>
        `<g transform="translate(${PAD.left + i * 140},12)"><rect width="12" height="4" y="-2" fill="${s.color}"/><text x="16" y="4">${escapeXml(s.name)}</text></g>`,
    )
    .join('');
  return `<svg class="chart-svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-labelledby="${id}-t ${id}-d">
<title id="${id}-t">${escapeXml(options.title)}</title><desc id="${id}-d">${escapeXml(options.description)}</desc>
<rect class="frame" x="${PAD.left}" y="${PAD.top}" width="${plotW}" height="${plotH}"/>
${parts.join('')}${legend}
<text class="axis" x="${PAD.left + plotW / 2}" y="${HEIGHT - 8}" text-anchor="middle">${escapeXml(options.xLabel)}</text>
<text class="axis" transform="translate(14 ${PAD.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(options.yLabel)}</text>
</svg>`;
}
