import type { TrainEvent } from '@lstmkit/trainer';
import { describe, expect, it } from 'vitest';
import { textbookStartConfig } from '../__fixtures__/start-config.js';
import { ProgressRenderer } from './progress-renderer.js';
import { createStyle, stripAnsi } from './style.js';

function setup(live: boolean) {
  let output = '';
  let clock = 0;
  const renderer = new ProgressRenderer({
    stream: { write: (chunk: string) => (output += chunk), isTTY: live, columns: 100 },
    style: createStyle(false),
    live,
    now: () => clock,
    redrawInterval: 0,
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
});
