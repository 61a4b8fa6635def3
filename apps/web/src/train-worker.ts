/// <reference lib="webworker" />
import { initBackend } from '@lstmkit/model';
import { parseDataset, pipelinePresets } from '@lstmkit/preprocess';
import { trainInMemory } from '@lstmkit/trainer';
import type { TrainReport } from './model-state';
import type { TrainMessage, TrainRequest } from './train-protocol';
import { wasmPaths } from './wasm-paths';

// Training runs here so the page stays responsive; the loop yields between steps, so a stop
// message is seen at the next step boundary.

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (message: TrainMessage, transfer: Transferable[] = []) =>
  scope.postMessage(message, transfer);
let controller: AbortController | undefined;

async function train(request: Extract<TrainRequest, { type: 'train' }>): Promise<void> {
  controller = new AbortController();
  await initBackend({ backend: 'wasm', wasmPaths, log: (line) => post({ type: 'backend', line }) });
  const dataset = await parseDataset(request.fileName, request.text, { lenient: true });
  post({
    type: 'dataset',
    examples: dataset.examples.length,
    labels: dataset.labelNames,
    skipped: dataset.skipped.length,
  });
  const model = {
    ...(request.hiddenSize && { hiddenSize: request.hiddenSize }),
    ...(request.embeddingDim && { embeddingDim: request.embeddingDim }),
  };
  const out = await trainInMemory({
    dataset,
    name: request.fileName.replace(/\.[^.]*$/, '') || 'model',
    preset: request.preset,
    epochs: request.epochs,
    backend: 'wasm',
    signal: controller.signal,
    model,
    ...(request.batchSize && { batchSize: request.batchSize }),
    ...(request.sequenceLength && {
      pipeline: {
        sequence: { ...pipelinePresets[request.preset].sequence, length: request.sequenceLength },
      },
    }),
    onEvent: (event) => post({ type: 'event', event }),
  });
  const files = out.bundle ? [...out.bundle] : undefined;
  post(
    {
      type: 'done',
      files,
      report: out.report as TrainReport | undefined,
      history: [...out.history],
      interrupted: out.result.interrupted,
    },
    files?.map(([, bytes]) => bytes.buffer) ?? [],
  );
}

scope.onmessage = (message: MessageEvent<TrainRequest>) => {
  const request = message.data;
  if (request.type === 'stop') {
    controller?.abort();
    return;
  }
  train(request).catch((error: { message?: string; hint?: string }) =>
    post({
      type: 'error',
      message: error.message ?? String(error),
      ...(error.hint && { hint: error.hint }),
    }),
  );
};
