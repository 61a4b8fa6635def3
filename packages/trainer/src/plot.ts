import type { HistoryRow } from './history.js';
import type { LearningRateSeries } from './lr-schedule.js';

const WIDTH = 960;
const HEIGHT = 400;
const PANEL = { top: 68, bottom: 56, left: 64, right: 24 };
const COLORS = { train: '#1f77b4', validation: '#d95f02', best: '#6b7280', rate: '#2a9d8f' };
/** Change points drawn in the learning-rate panel at most (a cosine run changes every step). */
const MAX_RATE_POINTS = 1000;

interface Series {
  name: string;
  color: string;
  points: [number, number][];
  dashed?: boolean;
  /** A dot per point (evaluations); off for the per-step learning rate. */
  markers?: boolean;
}

/** The rate of every step, for a third panel when it was not constant. */
export interface LearningRatePlot {
  series: LearningRateSeries;
  stepsPerEpoch: number;
  /** Steps trained so far: the last rate is drawn up to here. */
  steps: number;
}

/**
 * A self-contained SVG with two panels, loss and accuracy against epochs, for training (running
 * mean since the previous evaluation) and validation, with the best checkpoint marked; a third
 * shows the learning rate per step when a schedule changed it.
 */
export function renderTrainingSvg(
  rows: readonly HistoryRow[],
  title = 'Training history',
  learningRates?: LearningRatePlot,
): string {
  const showRate = learningRates !== undefined && learningRates.series.length > 1;
  const panelWidth = WIDTH / (showRate ? 3 : 2);
  const best = rows.reduce<HistoryRow | undefined>(
    (acc, row) => (row.improved ? row : acc),
    undefined,
  );
  const series = (pick: (r: HistoryRow) => { train: number; validation: number }): Series[] => [
    { name: 'training', color: COLORS.train, points: rows.map((r) => [r.epochs, pick(r).train]) },
    {
      name: 'validation',
      color: COLORS.validation,
      points: rows.map((r) => [r.epochs, pick(r).validation]),
    },
  ];
  const lossPanel = renderPanel(
    0,
    panelWidth,
    'Loss',
    series((r) => ({ train: r.train.loss, validation: r.validation.loss })),
    best?.epochs,
    false,
  );
  const accuracyPanel = renderPanel(
    panelWidth,
    panelWidth,
    'Accuracy',
    series((r) => ({ train: r.train.accuracy, validation: r.validation.accuracy })),
    best?.epochs,
    true,
  );
  const ratePanel = showRate
    ? renderPanel(
        2 * panelWidth,
        panelWidth,
        'Learning rate',
        [
          {
            name: 'learning rate',
            color: COLORS.rate,
            points: ratePoints(learningRates!),
            markers: false,
          },
        ],
        best?.epochs,
        false,
      )
    : '';
  const legendItems: [string, string, boolean][] = [
    ['training', COLORS.train, false],
    ['validation', COLORS.validation, false],
  ];
  if (best) legendItems.push([`best checkpoint (epoch ${fmt(best.epochs)})`, COLORS.best, true]);
  const legend = legendItems
    .map(([label, color, dashed], i) => {
      const x = 64 + i * 200;
      const dash = dashed ? ' stroke-dasharray="5 4"' : '';
      return `<line x1="${x}" y1="34" x2="${x + 24}" y2="34" stroke="${color}" stroke-width="2.5"${dash}/><text x="${x + 30}" y="38">${escapeXml(label)}</text>`;
    })
    .join('');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="Helvetica, Arial, sans-serif" font-size="12" fill="#111827">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${WIDTH / 2}" y="18" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
    legend,
    lossPanel,
    accuracyPanel,
    ratePanel,
    rows.length === 0
      ? `<text x="${WIDTH / 2}" y="${HEIGHT / 2}" text-anchor="middle">no evaluations yet</text>`
      : '',
    '</svg>',
    '',
  ].join('\n');
}

function renderPanel(
  x0: number,
  width: number,
  title: string,
  series: Series[],
  bestX: number | undefined,
  isFraction: boolean,
): string {
  const left = x0 + PANEL.left;
  const right = x0 + width - PANEL.right;
  const top = PANEL.top;
  const bottom = HEIGHT - PANEL.bottom;
  const finite = series.flatMap((s) => s.points).filter(([, y]) => Number.isFinite(y));
  const xs = finite.map(([x]) => x);
  const ys = finite.map(([, y]) => y);
  const xTicks = niceTicks(0, Math.max(1, ...xs), 6);
  let yMin = ys.length ? Math.min(...ys) : 0;
  let yMax = ys.length ? Math.max(...ys) : 1;
  if (isFraction) {
    yMin = Math.max(0, yMin - 0.02);
    yMax = Math.min(1, yMax + 0.02);
  } else {
    yMin = Math.max(0, yMin - (yMax - yMin) * 0.05);
  }
  if (yMax - yMin < 1e-6) {
    yMin -= 0.05;
    yMax += 0.05;
  }
  const yTicks = niceTicks(yMin, yMax, 6);
  const xDomain: [number, number] = [xTicks[0]!, xTicks[xTicks.length - 1]!];
  const yDomain: [number, number] = [yTicks[0]!, yTicks[yTicks.length - 1]!];
  const sx = (x: number) => left + ((x - xDomain[0]) / (xDomain[1] - xDomain[0])) * (right - left);
  const sy = (y: number) =>
    bottom - ((y - yDomain[0]) / (yDomain[1] - yDomain[0])) * (bottom - top);

  const parts: string[] = [`<g>`];
  parts.push(
    `<text x="${(left + right) / 2}" y="${top - 8}" text-anchor="middle" font-size="13" font-weight="bold">${title}</text>`,
  );
  for (const t of yTicks) {
    const y = sy(t);
    parts.push(
      `<line x1="${left}" y1="${y}" x2="${right}" y2="${y}" stroke="#e5e7eb"/>`,
      `<text x="${left - 6}" y="${y + 4}" text-anchor="end">${isFraction ? `${fmt(t * 100)}%` : fmt(t)}</text>`,
    );
  }
  for (const t of xTicks) {
    const x = sx(t);
    parts.push(
      `<line x1="${x}" y1="${bottom}" x2="${x}" y2="${bottom + 5}" stroke="#374151"/>`,
      `<text x="${x}" y="${bottom + 18}" text-anchor="middle">${fmt(t)}</text>`,
    );
  }
  parts.push(
    `<line x1="${left}" y1="${bottom}" x2="${right}" y2="${bottom}" stroke="#374151"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${bottom}" stroke="#374151"/>`,
    `<text x="${(left + right) / 2}" y="${bottom + 38}" text-anchor="middle">epoch</text>`,
    `<text transform="translate(${x0 + 16} ${(top + bottom) / 2}) rotate(-90)" text-anchor="middle">${title.toLowerCase()}</text>`,
  );
  if (bestX !== undefined) {
    parts.push(
      `<line x1="${sx(bestX)}" y1="${top}" x2="${sx(bestX)}" y2="${bottom}" stroke="${COLORS.best}" stroke-width="1.5" stroke-dasharray="5 4"/>`,
    );
  }
  for (const s of series) {
    const points = s.points.filter(([, y]) => Number.isFinite(y));
    if (points.length === 0) continue;
    const path = points.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
    parts.push(
      `<polyline points="${path}" fill="none" stroke="${s.color}" stroke-width="2.5" stroke-linejoin="round"/>`,
      ...(s.markers === false ? [] : points).map(
        ([x, y]) =>
          `<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="3" fill="${s.color}"><title>${s.name}: ${fmt(y)} at epoch ${fmt(x)}</title></circle>`,
      ),
    );
  }
  parts.push('</g>');
  return parts.join('\n');
}

/** A step function against epochs: each rate holds until the next change. */
function ratePoints({ series, stepsPerEpoch, steps }: LearningRatePlot): [number, number][] {
  const stride = Math.ceil(series.length / MAX_RATE_POINTS);
  const kept = series.filter((_, i) => i % stride === 0 || i === series.length - 1);
  const points: [number, number][] = [];
  kept.forEach(([step, rate], i) => {
    const until = kept[i + 1]?.[0] ?? Math.max(steps, step + 1);
    points.push([step / stepsPerEpoch, rate], [until / stepsPerEpoch, rate]);
  });
  return points;
}

/** Round tick values (1, 2 or 5 times a power of ten) covering [min, max]. */
export function niceTicks(min: number, max: number, target: number): number[] {
  const rawStep = (max - min) / Math.max(1, target - 1);
  const magnitude = 10 ** Math.floor(Math.log10(rawStep));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= rawStep) ?? rawStep;
  const start = Math.floor(min / step + 1e-9) * step;
  const ticks: number[] = [];
  for (let t = start; t <= max + step * (1 - 1e-9); t += step)
    ticks.push(Number(t.toPrecision(12)));
  while (ticks.length < 2) ticks.push(Number((ticks[ticks.length - 1]! + step).toPrecision(12)));
  return ticks;
}

function fmt(value: number): string {
  return Number(value.toPrecision(4)).toString();
}

function escapeXml(text: string): string {
  return text.replace(
    /[<>&"]/g,
    (c) => `&${{ '<': 'lt', '>': 'gt', '&': 'amp', '"': 'quot' }[c]};`,
  );
}
