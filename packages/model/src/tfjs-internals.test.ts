import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { FusedBidirectional } from './fused/fused-bidirectional';
import { FusedLSTM } from './fused/fused-lstm-layer';

// The fused layers (and the trainer's exact resume) use tfjs fields that are not public API.
// The peer range admits only the minor version they were checked against; this test names
// every such field, so a tfjs upgrade fails here, clearly, before it fails anywhere else.

const peerRange = (pkg: string) =>
  JSON.parse(readFileSync(join(import.meta.dirname, '../package.json'), 'utf8')).peerDependencies[
    pkg
  ] as string;

describe('tfjs internals the fused layers rely on', () => {
  it('the installed tfjs is the minor version the peer range pins', () => {
    const [major, minor] = tf.version.tfjs.split('.');
    expect(peerRange('@tensorflow/tfjs')).toBe(`~${major}.${minor}.0`);
    expect(peerRange('@tensorflow/tfjs-backend-wasm')).toBe(`~${major}.${minor}.0`);
  });

  it('keeps the private fields FusedLSTM and FusedBidirectional read', () => {
    const classes = tf.serialization.SerializationMap.getMap().classNameMap;
    expect(classes.LSTM?.[0]).toBe(Object.getPrototypeOf(FusedLSTM));
    expect(classes.Bidirectional?.[0]).toBe(Object.getPrototypeOf(FusedBidirectional));

    const lstm = new FusedLSTM({ units: 3, returnSequences: true });
    lstm.build([2, 4, 5]);
    const internals = lstm as unknown as Record<string, unknown> & {
      cell: Record<string, unknown>;
    };
    for (const field of ['returnSequences', 'returnState', 'goBackwards', 'stateful']) {
      expect([field, typeof internals[field]]).toEqual([field, 'boolean']);
    }
    for (const field of ['kernel', 'recurrentKernel', 'bias']) {
      expect([field, typeof (internals.cell[field] as tf.LayerVariable)?.read]).toEqual([
        field,
        'function',
      ]);
    }
    expect(typeof internals.cell.useBias).toBe('boolean');
    expect(typeof internals.cell.dropout).toBe('number');
    expect(typeof internals.cell.recurrentDropout).toBe('number');
    const activation = internals.cell.activation as { getClassName(): string };
    expect(activation.getClassName()).toBe('tanh');

    const bidirectional = new FusedBidirectional({
      layer: tf.layers.lstm({ units: 3, returnSequences: true }) as never,
      mergeMode: 'concat',
    }) as unknown as Record<string, unknown>;
    expect(bidirectional.forwardLayer).toBeInstanceOf(FusedLSTM);
    expect(bidirectional.backwardLayer).toBeInstanceOf(FusedLSTM);
    expect(bidirectional.mergeMode).toBe('concat');
  });

  it("keeps the orthogonal initializer's warning threshold and Adam's beta^t products", () => {
    const init = tf.initializers.orthogonal({ seed: 1 }) as unknown as Record<string, unknown>;
    expect(typeof init.ELEMENTS_WARN_SLOW).toBe('number');
    const adam = tf.train.adam(0.01) as unknown as Record<string, { assign?: unknown }>;
    expect(typeof adam.accBeta1?.assign).toBe('function');
    expect(typeof adam.accBeta2?.assign).toBe('function');
    (adam as unknown as tf.Optimizer).dispose();
  });
});
