import type { TrainEvent } from '@lstmkit/trainer';
import { describe, expect, it } from 'vitest';
import { textbookStartConfig } from '../__fixtures__/start-config.js';
import { type PassEvent, ProgressRenderer } from './progress-renderer.js';
import { createStyle, stripAnsi } from './style.js';

function setup(live: boolean, columns = 100) {
  let output = '';
  let clock = 0;
  const renderer = new ProgressRenderer({
    stream: { write: (chunk: string) => (output += chunk), isTTY: live, columns },
    style: createStyle(false),
    live,
    now: () => clock,
    redrawInterval: 0,
    cacheDir: 'model.data',
  });
  return {
    renderer,
    output: () => output,
    tick: (ms: number) => {
      clock += ms;
    },
  };
}

const metrics = {
  loss: 0.5,
  accuracy: 0.8,
  precision: 0.75,
  recall: 0.7,
  f1: 0.72,
  perClass: [
    { precision: 0.67, recall: 0.8, f1: 0.73, support: 5 },
    { precision: 0.75, recall: 0.6, f1: 0.67, support: 5 },
  ],
  macro: { precision: 0.71, recall: 0.7, f1: 0.7 },
  weighted: { precision: 0.71, recall: 0.7, f1: 0.7 },
  confusionMatrix: [
    [4, 1],
    [2, 3],
  ],
  count: 10,
};

function epochEvents(epoch: number, steps: number): TrainEvent[] {
  const events: TrainEvent[] = [];
  for (let step = 1; step <= steps; step++) {
    events.push({
      type: 'step',
      epoch,
      step,
      stepsPerEpoch: steps,
      loss: 0.7 - step * 0.01,
      learningRate: 0.001,
      samplesPerSecond: 40,
    });
  }
  events.push(
    {
      type: 'evaluation',
      epoch,
      step: steps,
      train: { loss: 0.6, accuracy: 0.7 },
      validation: metrics,
      improved: true,
    },
    { type: 'checkpoint', epoch, step: steps, dir: '/tmp/out', validationLoss: 0.5 },
    { type: 'epoch', epoch, seconds: 12 },
  );
  return events;
}

const start: TrainEvent = {
  type: 'start',
  labelNames: ['negative', 'positive'],
  validationToTrain: 0,
  dataDir: '/tmp/out.data',
  totalEpochs: 2,
  stepsPerEpoch: 4,
  trainSize: 128,
  validationSize: 16,
  testSize: 16,
  backend: 'wasm',
  config: textbookStartConfig,
};

describe('ProgressRenderer', () => {
  it('prints one plain line per epoch plus validation and checkpoint lines when not a TTY', () => {
    const t = setup(false);
    t.renderer.handle(start);
    for (const event of epochEvents(1, 4)) {
      t.tick(1000);
      t.renderer.handle(event);
    }
    const out = t.output();
    expect(out).not.toContain('\r');
    expect(out).not.toContain('\u001b');
    const lines = out.trim().split('\n');
    expect(lines[0]).toContain('split 128 train · 16 validation · 16 test · 2 epochs × 4 steps');
    expect(lines[1]).toMatch(/^epoch 1\/2 {2}4\/4 {2}loss 0\.6750 {2}40 samples\/s {2}4\.0s$/);
    expect(lines[2]).toContain('validate epoch 1: acc 0.800 · f1 0.720 · loss 0.5000');
    expect(lines[2]).toContain('✓ best');
    expect(lines[3]).toContain('saved');
    expect(lines[3]).toContain('/tmp/out');
    expect(lines[4]).toContain('~12s left (1 more epoch)');
    expect(lines).toHaveLength(5);
  });

  it('redraws a bar in place on a TTY and keeps a final line per epoch', () => {
    const t = setup(true);
    t.renderer.handle(start);
    for (const event of epochEvents(1, 4)) {
      t.tick(500);
      t.renderer.handle(event);
    }
    const out = t.output();
    expect(out).toContain('\r');
    expect(out).toContain('\u001b[K');
    expect(out).toMatch(/ETA 1\.0s/);
    // What stays on screen: every \r-rewritten line reduced to its last state.
    const screen = out
      .split('\n')
      .map((line) => line.split('\r').at(-1)?.replaceAll('\u001b[K', '') ?? '')
      .filter((line) => line !== '');
    expect(screen[1]).toMatch(
      /^epoch 1\/2 {2}━+ {2}4\/4 {2}loss 0\.6750 {2}40 samples\/s {2}2\.0s$/,
    );
    expect(screen[2]).toContain('validate epoch 1');
    expect(screen.some((line) => line.includes('ETA'))).toBe(false);
  });

  it('prints a mid-epoch validation (--eval-every) above the bar and still ends the epoch line', () => {
    const t = setup(true);
    t.renderer.handle(start);
    const events = epochEvents(1, 4);
    events.splice(2, 0, {
      type: 'evaluation',
      epoch: 1,
      step: 2,
      train: { loss: 0.6, accuracy: 0.7 },
      validation: metrics,
      improved: true,
    });
    for (const event of events) {
      t.tick(500);
      t.renderer.handle(event);
    }
    const screen = t
      .output()
      .split('\n')
      .map((line) => line.split('\r').at(-1)?.replaceAll('\u001b[K', '') ?? '')
      .filter((line) => line !== '');
    expect(screen[1]).toContain('validate epoch 1 step 2');
    expect(screen[2]).toMatch(/^epoch 1\/2 {2}━+ {2}4\/4 /);
    expect(screen[3]).toContain('validate epoch 1:');
  });

  it('keeps the bar within the terminal width', () => {
    let output = '';
    const renderer = new ProgressRenderer({
      stream: { write: (chunk: string) => (output += chunk), isTTY: true, columns: 60 },
      style: createStyle(true),
      live: true,
      redrawInterval: 0,
    });
    renderer.handle(start);
    renderer.handle({
      type: 'step',
      epoch: 1,
      step: 1,
      stepsPerEpoch: 4,
      loss: 0.69,
      learningRate: 0.001,
      samplesPerSecond: 1234,
    });
    const last = output.split('\r').at(-1) ?? '';
    expect(stripAnsi(last).length).toBeLessThan(60);
  });

  it('says where a resumed run continues, from the start event', () => {
    const t = setup(false);
    t.renderer.handle({
      ...start,
      resumedFrom: { epoch: 1, step: 3, stepsPerEpoch: 4, globalStep: 3 },
    } as TrainEvent);
    expect(t.output()).toContain('resuming after epoch 1, step 3/4');
  });

  it('reports early stopping', () => {
    const t = setup(false);
    t.renderer.handle(start);
    t.renderer.handle({ type: 'early-stop', epoch: 5, bestEpoch: 3 });
    expect(t.output()).toContain(
      'early stop after epoch 5: validation loss has not improved since epoch 3',
    );
  });

  describe('passes over data', () => {
    /** An encode pass over 2 GB at 20 MB/s, reported every 5 s (by the pass's clock and ours). */
    function encodePass(): PassEvent[] {
      const events: PassEvent[] = [];
      for (let seconds = 0; seconds <= 100; seconds += 5) {
        events.push({
          type: 'pass',
          pass: 'encode',
          done: seconds * 20e6,
          total: 2e9,
          unit: 'bytes',
          seconds,
          ...(seconds === 100 && { finished: true }),
        });
      }
      return events;
    }

    /** What stays on screen: every \r-rewritten line reduced to its last state. */
    function screen(output: string): string[] {
      return output
        .split('\n')
        .map((line) => line.split('\r').at(-1)?.replaceAll('\u001b[K', '') ?? '')
        .filter((line) => line !== '');
    }

    it('prints a start line, a line every 10 s and an end line when not a TTY', () => {
      const t = setup(false);
      for (const event of encodePass()) {
        t.renderer.handle(event);
        t.tick(5000);
      }
      expect(t.output().split('\n')).toEqual([
        'encode      started · 2.0 GB',
        'encode       10.0%  200 MB/2.0 GB  20.0 MB/s  ETA 1m30s',
        'encode       20.0%  400 MB/2.0 GB  20.0 MB/s  ETA 1m20s',
        'encode       30.0%  600 MB/2.0 GB  20.0 MB/s  ETA 1m10s',
        'encode       40.0%  800 MB/2.0 GB  20.0 MB/s  ETA 1m00s',
        'encode       50.0%  1.0 GB/2.0 GB  20.0 MB/s  ETA 50s',
        'encode       60.0%  1.2 GB/2.0 GB  20.0 MB/s  ETA 40s',
        'encode       70.0%  1.4 GB/2.0 GB  20.0 MB/s  ETA 30s',
        'encode       80.0%  1.6 GB/2.0 GB  20.0 MB/s  ETA 20s',
        'encode       90.0%  1.8 GB/2.0 GB  20.0 MB/s  ETA 10s',
        'encode      done  2.0 GB in 1m40s · 20.0 MB/s',
        '',
      ]);
    });

    it('draws a live bar with percent, rate and ETA on a TTY, then keeps the end line', () => {
      const t = setup(true, 80);
      const events = encodePass();
      for (const event of events.slice(0, 6)) t.renderer.handle(event);
      const live = t.output().split('\r').at(-1);
      expect(live).toBe(
        'encode      ━━━━━━────────────────   25.0%  500 MB/2.0 GB  20.0 MB/s  ETA 1m15s\u001b[K',
      );
      expect(stripAnsi(live ?? '').length).toBe(79); // within the 80 columns
      for (const event of events.slice(6)) t.renderer.handle(event);
      expect(screen(t.output())).toEqual(['encode      done  2.0 GB in 1m40s · 20.0 MB/s']);
    });

    it('shows counts, rate and elapsed time when the total is unknown', () => {
      const t = setup(false, 100);
      const count = { type: 'pass', pass: 'count', total: undefined, unit: 'rows' } as const;
      t.renderer.handle({ ...count, done: 0, seconds: 0 });
      t.tick(10_000);
      t.renderer.handle({ ...count, done: 50_000, seconds: 10 });
      t.renderer.handle({ ...count, done: 60_000, seconds: 12, finished: true });
      expect(t.output()).toBe(
        'count       started\n' +
          'count       50,000 rows  5,000 rows/s  10s\n' +
          'count       done  60,000 rows in 12s · 5,000 rows/s\n',
      );
    });

    it('names the cache when a pass is skipped; a pass under a second prints nothing, a longer one its end line', () => {
      const t = setup(false);
      t.renderer.handle({
        type: 'pass',
        pass: 'encode',
        done: 0,
        total: undefined,
        unit: 'rows',
        seconds: 0,
        cached: true,
      });
      t.renderer.handle({
        type: 'pass',
        pass: 'validation',
        done: 16,
        total: 16,
        unit: 'rows',
        seconds: 0.5,
        finished: true,
      });
      t.renderer.handle({
        type: 'pass',
        pass: 'test',
        done: 0,
        total: 90,
        unit: 'rows',
        seconds: 0,
      });
      t.renderer.handle({
        type: 'pass',
        pass: 'test',
        done: 90,
        total: 90,
        unit: 'rows',
        seconds: 1.5,
        finished: true,
      });
      // under a second: nothing; longer: its end line
      expect(t.output()).toBe(
        'encode      cached in model.data (skipped)\n' +
          'test        done  90 rows in 1.5s · 60 rows/s\n',
      );
    });

    it('rates a pass by its records when it counts bytes (predict: lines/s)', () => {
      const t = setup(false);
      const predict = { type: 'pass', pass: 'predict', total: 1e6, unit: 'bytes' } as const;
      t.renderer.handle({ ...predict, done: 0, seconds: 0, items: { count: 0, name: 'lines' } });
      t.tick(10_000);
      t.renderer.handle({
        ...predict,
        done: 250_000,
        seconds: 10,
        items: { count: 5000, name: 'lines' },
      });
      t.renderer.handle({
        ...predict,
        done: 1e6,
        seconds: 40,
        finished: true,
        items: { count: 20_000, name: 'lines' },
      });
      expect(t.output()).toBe(
        'predict     started · 1.0 MB\n' +
          'predict      25.0%  250 kB/1.0 MB  500 lines/s  ETA 30s\n' +
          'predict     done  20,000 lines (1.0 MB) in 40s · 500 lines/s\n',
      );
    });

    it('draws a mid-epoch validation pass over the epoch bar, then the epoch bar again', () => {
      const t = setup(true);
      t.renderer.handle(start);
      const [first, second] = epochEvents(1, 4);
      t.tick(500);
      t.renderer.handle(first as TrainEvent);
      t.tick(500);
      t.renderer.handle(second as TrainEvent);
      const validation = { type: 'pass', pass: 'validation', total: 16, unit: 'rows' } as const;
      t.renderer.handle({ ...validation, done: 8, seconds: 1 });
      expect(screen(t.output()).at(-1)).toMatch(
        /^validation {2}━+─+ {3}50\.0% {2}8 rows\/16 rows {2}8\.0 rows\/s {2}ETA 1\.0s$/,
      );
      t.renderer.handle({ ...validation, done: 16, seconds: 2, finished: true });
      const lines = screen(t.output());
      expect(lines[1]).toBe('validation  done  16 rows in 2.0s · 8.0 rows/s');
      expect(lines[2]).toMatch(/^epoch 1\/2 {2}━+─+ {2}2\/4 {2}loss .* {2}ETA 1\.0s$/);
    });
  });
});
