import type { TrainEvent, PassEvent as TrainerPassEvent } from '@lstmkit/trainer';
import type { OutputStream } from '../cli-io.js';
import { formatBytes, formatCount, formatDuration, formatLoss, formatRate } from './format.js';
import { metricsInline } from './metrics.js';
import type { Style } from './style.js';
import { visibleLength } from './style.js';

export interface ProgressRendererOptions {
  stream: OutputStream;
  style: Style;
  /** Draw a live bar (true on a terminal); otherwise print plain lines. */
  live: boolean;
  /** Milliseconds; injectable for tests. */
  now?: () => number;
  /** Minimum milliseconds between live redraws. */
  redrawInterval?: number;
  /** In plain mode, also print a progress line when an epoch or a pass runs longer than this (ms). */
  plainInterval?: number;
  /** How a checkpoint directory is shown (e.g. relative to the cwd). */
  displayPath?: (path: string) => string;
  /** Where the trainer caches encoded data (`<out>.data`), named when a pass is skipped. */
  cacheDir?: string;
}

/**
 * One pass over data: the trainer's 'pass' event (digest, count, encode, validation, test), or
 * `lstmkit predict` reading its input, whose rate counts lines (`items`) rather than bytes.
 */
export type PassEvent = Omit<TrainerPassEvent, 'pass'> & {
  pass: TrainerPassEvent['pass'] | 'predict';
  /** Records behind `done` when it counts bytes (predict: lines), shown as the rate instead. */
  items?: { count: number; name: string };
};

interface PassState {
  event: PassEvent;
  lastPlain: number;
  /** Its start was shown (it ran long enough): its end is shown too. */
  announced: boolean;
}

/** A pass shows progress once it has run this long; shorter ones print nothing. */
const LONG_PASS_SECONDS = 1;

/** Wide enough for the longest trainer pass name, 'validation'. */
const PASS_LABEL_WIDTH = 10;

interface EpochState {
  epoch: number;
  startedAt: number;
  step: number;
  stepsPerEpoch: number;
  lossSum: number;
  lossCount: number;
  samplesPerSecond: number;
  committed: boolean;
}

/**
 * Renders trainer events on stderr. On a terminal: one live progress bar per epoch (step,
 * running loss, samples/s, ETA) or per pass over data (percent, rate, ETA), with validation and
 * checkpoint lines printed above it. Not on a terminal: one plain line per epoch, evaluation and
 * checkpoint, a line when a pass starts and ends (and a progress line now and then during long
 * epochs and passes), so logs stay readable.
 */
export class ProgressRenderer {
  private readonly stream: OutputStream;
  private readonly style: Style;
  private readonly live: boolean;
  private readonly now: () => number;
  private readonly redrawInterval: number;
  private readonly plainInterval: number;
  private readonly displayPath: (path: string) => string;
  private readonly cacheDir: string | undefined;

  private totalEpochs = 0;
  private stepsPerEpoch = 0;
  private epoch: EpochState | undefined;
  private lastDraw = 0;
  private lastPlain = 0;
  private statusShown = false;
  private status = '';
  private firstEpochSeconds: number[] = [];
  private lastEpochSeen = 0;
  private activePass: PassState | undefined;

  constructor(options: ProgressRendererOptions) {
    this.stream = options.stream;
    this.style = options.style;
    this.live = options.live;
    this.now = options.now ?? (() => performance.now());
    this.redrawInterval = options.redrawInterval ?? 100;
    this.plainInterval = options.plainInterval ?? 10_000;
    this.displayPath = options.displayPath ?? ((path) => path);
    this.cacheDir = options.cacheDir;
  }

  /** Feed every trainer event here (and pass events of other commands). */
  handle(event: TrainEvent | PassEvent): void {
    switch (event.type) {
      case 'pass':
        this.onPass(event);
        break;
      case 'start':
        this.onStart(event);
        break;
      case 'step':
        this.onStep(event);
        break;
      case 'evaluation': {
        // With --eval-every, validation also runs inside an epoch: print it above the live bar.
        const e = this.epoch;
        const midEpoch =
          e !== undefined && e.epoch === event.epoch && !e.committed && e.step < e.stepsPerEpoch;
        if (!midEpoch) this.commitEpochLine();
        const v = event.validation;
        const mark = event.improved ? this.style.green('✓ best') : this.style.dim('no improvement');
        const where = midEpoch ? `epoch ${event.epoch} step ${e.step}` : `epoch ${event.epoch}`;
        this.log(
          `  ${this.style.cyan('validate')} ${where}: ${metricsInline(v)}  ${this.style.dim(
            `(train acc ${event.train.accuracy.toFixed(3)} · loss ${formatLoss(event.train.loss)})`,
          )}  ${mark}`,
        );
        break;
      }
      case 'checkpoint':
        this.log(
          `  ${this.style.green('saved')}    best checkpoint (val loss ${formatLoss(event.validationLoss)}) → ${this.displayPath(event.dir)}`,
        );
        break;
      case 'epoch':
        this.onEpoch(event);
        break;
      case 'early-stop':
        this.commitEpochLine();
        this.log(
          `${this.style.yellow('early stop')} after epoch ${event.epoch}: validation loss has not improved since epoch ${event.bestEpoch}`,
        );
        break;
      case 'end':
        this.commitEpochLine();
        this.clearStatus();
        break;
    }
  }

  /** A line printed above the live bar (or plainly). */
  log(line: string): void {
    this.clearStatus();
    this.stream.write(`${line}\n`);
    this.redrawStatus();
  }

  /** A transient line under the log (live mode only): e.g. "loading data…". */
  setStatus(text: string): void {
    this.status = text;
    if (!this.live) return;
    this.draw(this.style.dim(text));
  }

  /** Removes whatever transient line is shown; call before printing results. */
  finish(): void {
    this.clearStatus();
    this.status = '';
  }

  private onStart(event: Extract<TrainEvent, { type: 'start' }>): void {
    this.totalEpochs = event.totalEpochs;
    this.stepsPerEpoch = event.stepsPerEpoch;
    this.status = '';
    this.log(
      `${this.style.bold('split')} ${event.trainSize.toLocaleString('en-US')} train · ${event.validationSize.toLocaleString('en-US')} validation · ${event.testSize.toLocaleString('en-US')} test · ${event.totalEpochs} epoch${event.totalEpochs === 1 ? '' : 's'} × ${event.stepsPerEpoch} steps`,
    );
    const from = event.resumedFrom;
    if (from !== undefined) {
      this.log(
        this.style.dim(
          `resuming after epoch ${from.epoch}, step ${from.step}/${from.stepsPerEpoch}`,
        ),
      );
    }
  }

  private onPass(event: PassEvent): void {
    const label = event.pass.padEnd(PASS_LABEL_WIDTH);
    if (event.cached) {
      this.activePass = undefined;
      const where = this.cacheDir === undefined ? '' : ` in ${this.displayPath(this.cacheDir)}`;
      this.log(`${label}  ${this.style.dim(`cached${where} (skipped)`)}`);
      return;
    }
    const t = this.now();
    if (this.activePass?.event.pass !== event.pass) {
      this.activePass = { event, lastPlain: t, announced: false };
      this.status = '';
    }
    const pass = this.activePass;
    pass.event = event;
    // Passes over small data (under a second: a validation of a few hundred rows) stay quiet.
    const long = event.seconds >= LONG_PASS_SECONDS;
    if (event.finished) {
      this.activePass = undefined;
      if (pass.announced || long) {
        this.log(
          `${label}  done  ${passAmount(event.done, event, true)} in ${formatDuration(event.seconds)} · ${passRate(event)}`,
        );
      }
      return;
    }
    if (!long) return;
    if (!this.live && !pass.announced) {
      const size = event.total === undefined ? '' : ` · ${passAmount(event.total, event)}`;
      this.stream.write(`${label}  started${size}\n`);
    }
    pass.announced = true;
    if (this.live) {
      if (t - this.lastDraw >= this.redrawInterval) {
        this.lastDraw = t;
        this.draw(this.passLine(event));
      }
    } else if (t - pass.lastPlain >= this.plainInterval) {
      pass.lastPlain = t;
      this.stream.write(`${this.passLine(event)}\n`);
    }
  }

  /** `encode      ━━━━────  42.0%  690 MB/1.6 GB  35 MB/s  ETA 25s` (no bar when not live). */
  private passLine(event: PassEvent): string {
    const s = this.style;
    const label = event.pass.padEnd(PASS_LABEL_WIDTH);
    const rate = passRate(event);
    if (event.total === undefined || event.total <= 0) {
      const stats = `${passAmount(event.done, event, true)}  ${rate}  ${formatDuration(event.seconds)}`;
      return `${this.live ? s.bold(label) : label}  ${stats}`;
    }
    const fraction = Math.min(1, event.done / event.total);
    const perUnit = event.done > 0 ? event.seconds / event.done : Number.NaN;
    const eta = perUnit * Math.max(0, event.total - event.done);
    const stats = `${(100 * fraction).toFixed(1).padStart(5)}%  ${passAmount(event.done, event)}/${passAmount(event.total, event)}  ${rate}  ETA ${formatDuration(eta)}`;
    if (!this.live) return `${label}  ${stats}`;
    const barWidth = Math.max(0, Math.min(30, this.columns() - label.length - stats.length - 5));
    if (barWidth < 8)
      return `${s.bold(label)}  ${stats}`.slice(0, Math.max(10, this.columns() - 1));
    const filled = Math.round(fraction * barWidth);
    const bar = s.cyan('━'.repeat(filled)) + s.dim('─'.repeat(barWidth - filled));
    return `${s.bold(label)}  ${bar}  ${stats}`;
  }

  private onStep(event: Extract<TrainEvent, { type: 'step' }>): void {
    const t = this.now();
    this.activePass = undefined;
    if (this.epoch === undefined || this.epoch.epoch !== event.epoch) {
      this.commitEpochLine();
      // The first step of an epoch arrives after it ran: start the clock one step earlier,
      // estimated from the reported throughput when there is no better measure.
      this.epoch = {
        epoch: event.epoch,
        startedAt: t,
        step: 0,
        stepsPerEpoch: event.stepsPerEpoch,
        lossSum: 0,
        lossCount: 0,
        samplesPerSecond: 0,
        committed: false,
      };
      this.lastEpochSeen = event.epoch;
    }
    const e = this.epoch;
    e.step = event.step;
    e.stepsPerEpoch = event.stepsPerEpoch;
    if (Number.isFinite(event.loss)) {
      e.lossSum += event.loss;
      e.lossCount += 1;
    }
    e.samplesPerSecond = event.samplesPerSecond;
    this.stepsPerEpoch = event.stepsPerEpoch;
    this.status = '';

    if (event.step >= event.stepsPerEpoch) {
      this.commitEpochLine();
      if (this.live) this.setStatus('  validating…');
      return;
    }
    if (this.live) {
      if (t - this.lastDraw >= this.redrawInterval || event.step === 1) {
        this.lastDraw = t;
        this.draw(this.epochLine(e, false));
      }
    } else if (t - Math.max(this.lastPlain, e.startedAt) >= this.plainInterval) {
      this.lastPlain = t;
      this.stream.write(`${this.epochLine(e, false)}\n`);
    }
  }

  private onEpoch(event: Extract<TrainEvent, { type: 'epoch' }>): void {
    this.commitEpochLine();
    this.clearStatus();
    this.firstEpochSeconds.push(event.seconds);
    const remaining = this.totalEpochs - event.epoch;
    if (remaining > 0) {
      const recent = this.firstEpochSeconds.slice(-3);
      const mean = recent.reduce((a, b) => a + b, 0) / recent.length;
      this.log(
        this.style.dim(
          `  ~${formatDuration(mean * remaining)} left (${remaining} more epoch${remaining === 1 ? '' : 's'})`,
        ),
      );
    }
  }

  /** Prints the finished epoch's bar as a permanent line (once). */
  private commitEpochLine(): void {
    const e = this.epoch;
    if (e === undefined || e.committed || e.step === 0) return;
    e.committed = true;
    this.clearStatus();
    this.stream.write(`${this.epochLine(e, true)}\n`);
  }

  private epochLine(e: EpochState, done: boolean): string {
    const s = this.style;
    const width = this.columns();
    const total = Math.max(1, e.stepsPerEpoch);
    const fraction = Math.min(1, e.step / total);
    const elapsed = (this.now() - e.startedAt) / 1000;
    const perStep = e.step > 1 ? elapsed / (e.step - 1) : Number.NaN;
    // The clock starts at the first step event, i.e. after step 1 ran: add one step back.
    const eta = done
      ? elapsed + (Number.isFinite(perStep) ? perStep : 0)
      : perStep * (total - e.step);
    const loss = e.lossCount > 0 ? formatLoss(e.lossSum / e.lossCount) : '--';
    const epochLabel = `epoch ${String(e.epoch).padStart(String(this.totalEpochs || e.epoch).length)}/${this.totalEpochs || '?'}`;
    const steps = `${String(e.step).padStart(String(total).length)}/${total}`;
    const time = done
      ? formatDuration(eta)
      : `ETA ${Number.isFinite(eta) ? formatDuration(eta) : '--'}`;
    const stats = `${steps}  loss ${loss}  ${formatRate(e.samplesPerSecond)} samples/s  ${time}`;
    if (!this.live) return `${epochLabel}  ${stats}`;

    const fixed = visibleLength(epochLabel) + 2 + stats.length + 2;
    const barWidth = Math.max(0, Math.min(30, width - fixed - 1));
    if (barWidth < 8) return `${s.bold(epochLabel)}  ${stats}`.slice(0, Math.max(10, width - 1));
    const filled = Math.round(fraction * barWidth);
    const bar =
      (done ? s.green : s.cyan)('━'.repeat(filled)) +
      s.dim('─'.repeat(Math.max(0, barWidth - filled)));
    return `${s.bold(epochLabel)}  ${bar}  ${stats}`;
  }

  private columns(): number {
    const c = this.stream.columns;
    return typeof c === 'number' && c > 20 ? c : 80;
  }

  private draw(line: string): void {
    if (!this.live) return;
    this.stream.write(`\r${line}\u001b[K`);
    this.statusShown = true;
  }

  private clearStatus(): void {
    if (this.live && this.statusShown) {
      this.stream.write('\r\u001b[K');
      this.statusShown = false;
    }
  }

  private redrawStatus(): void {
    if (!this.live) return;
    const e = this.epoch;
    if (this.activePass !== undefined) {
      this.draw(this.passLine(this.activePass.event));
    } else if (e !== undefined && !e.committed && e.step > 0 && e.epoch === this.lastEpochSeen) {
      this.draw(this.epochLine(e, false));
    } else if (this.status !== '') {
      this.draw(this.style.dim(this.status));
    }
  }
}

/** `1.6 GB`, `12,000 rows`; bytes with records behind them: `1,000 lines (52 kB)` when `withItems`. */
function passAmount(value: number, event: PassEvent, withItems = false): string {
  if (event.unit !== 'bytes') return `${formatCount(value)} ${event.unit}`;
  if (withItems && event.items !== undefined) {
    return `${formatCount(event.items.count)} ${event.items.name} (${formatBytes(value)})`;
  }
  return formatBytes(value);
}

/** Records per second when the pass counts them, else its unit per second. */
function passRate(event: PassEvent): string {
  if (event.seconds <= 0) return '--/s';
  if (event.items !== undefined) {
    return `${formatRate(event.items.count / event.seconds)} ${event.items.name}/s`;
  }
  const perSecond = event.done / event.seconds;
  if (event.unit === 'bytes') return `${formatBytes(perSecond)}/s`;
  return `${formatRate(perSecond)} ${event.unit}/s`;
}
