import { Classifier, loadBundle } from '@lstmkit/model';
import { lineChart } from './charts';
import { byId, describeError, onDrop } from './dom';
import { openModel, setOpenModel } from './model-state';
import { tarDirectory } from './tar';
import type { TrainMessage, TrainRequest } from './train-protocol';

let worker: Worker | undefined;
let dropped: File | undefined;
const losses: [number, number][] = [];
const validation: [number, number][] = [];
let stepsPerEpoch = 1;
let chartPending = 0;

const status = (text: string) => {
  byId('train-status').textContent = text;
};

function drawChart(): void {
  chartPending = 0;
  byId('train-chart').innerHTML = lineChart({
    title: 'Training loss',
    description: `${losses.length} steps; last loss ${losses.at(-1)?.[1].toFixed(4) ?? 'none yet'}.`,
    xLabel: 'epochs',
    yLabel: 'loss',
    series: [
      { name: 'training (step)', color: '#0b57d0', points: losses },
      { name: 'validation', color: '#b3261e', points: validation, dots: true },
    ],
  });
}

const scheduleChart = () => {
  if (chartPending === 0) chartPending = requestAnimationFrame(drawChart);
};

function numberField(id: string): number | undefined {
  const value = byId<HTMLInputElement>(id).valueAsNumber;
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

function running(on: boolean): void {
  byId<HTMLButtonElement>('train-start').disabled = on;
  byId<HTMLButtonElement>('train-stop').disabled = !on;
}

async function onMessage(message: TrainMessage, name: string): Promise<void> {
  switch (message.type) {
    case 'backend':
      status(message.line);
      return;
    case 'dataset':
      status(
        `${message.examples} examples, labels ${message.labels.join(', ')}${message.skipped ? ` (${message.skipped} malformed lines skipped)` : ''}; starting…`,
      );
      return;
    case 'event': {
      const event = message.event;
      if (event.type === 'start') {
        stepsPerEpoch = event.stepsPerEpoch;
        status(
          `Training on ${event.trainSize} examples (${event.validationSize} validation, ${event.testSize} test), ${event.totalEpochs} epochs, backend ${event.backend}.`,
        );
      } else if (event.type === 'step') {
        losses.push([event.epoch - 1 + event.step / stepsPerEpoch, event.loss]);
        status(
          `Epoch ${event.epoch}, step ${event.step}/${event.stepsPerEpoch}: loss ${event.loss.toFixed(4)}, ${Math.round(event.samplesPerSecond)} sentences/s`,
        );
        scheduleChart();
      } else if (event.type === 'evaluation') {
        validation.push([event.step / stepsPerEpoch, event.validation.loss]);
        scheduleChart();
      }
      return;
    }
    case 'error':
      running(false);
      byId('train-error').textContent = describeError(message);
      status('Training failed.');
      return;
    case 'done': {
      running(false);
      if (message.files === undefined) {
        status('Stopped before the first evaluation: no model to keep.');
        return;
      }
      const files = new Map(message.files);
      const bundle = await loadBundle(
        [...files].map(([file, bytes]) => new File([bytes as Uint8Array<ArrayBuffer>], file)),
      );
      setOpenModel({
        classifier: new Classifier(bundle),
        name,
        source: 'trained',
        files,
        history: message.history,
        ...(message.report && { report: message.report }),
      });
      byId<HTMLButtonElement>('train-download').disabled = false;
      const test = message.report?.metrics.test;
      status(
        message.interrupted
          ? `Stopped; kept the best checkpoint so far. Try it in the Try view.`
          : `Done: test accuracy ${test ? test.accuracy.toFixed(3) : 'n/a'}. Try it in the Try view, or download the bundle.`,
      );
    }
  }
}

async function start(): Promise<void> {
  const file = byId<HTMLInputElement>('train-file').files?.[0] ?? dropped;
  byId('train-error').textContent = '';
  if (!file) {
    byId('train-error').textContent = 'Pick or drop a dataset file first.';
    return;
  }
  losses.length = 0;
  validation.length = 0;
  drawChart();
  running(true);
  byId<HTMLButtonElement>('train-download').disabled = true;
  worker?.terminate();
  worker = new Worker(new URL('./train-worker.ts', import.meta.url), { type: 'module' });
  const name = file.name.replace(/\.[^.]*$/, '') || 'model';
  worker.onmessage = (event: MessageEvent<TrainMessage>) => void onMessage(event.data, name);
  worker.onerror = (event) => {
    running(false);
    byId('train-error').textContent = event.message || 'The training worker failed to start.';
  };
  const request: TrainRequest = {
    type: 'train',
    fileName: file.name,
    text: await file.text(),
    preset: byId<HTMLSelectElement>('train-preset').value as 'default' | 'textbook',
    epochs: numberField('train-epochs') ?? 3,
    ...optional('sequenceLength', numberField('train-seq-len')),
    ...optional('hiddenSize', numberField('train-hidden')),
    ...optional('embeddingDim', numberField('train-embedding')),
    ...optional('batchSize', numberField('train-batch')),
  };
  status(`Reading ${file.name}…`);
  worker.postMessage(request);
}

const optional = <K extends string>(key: K, value: number | undefined) =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, number>>;

function download(): void {
  const model = openModel();
  if (model?.files === undefined) return;
  const archive = tarDirectory(model.name, model.files);
  const link = document.createElement('a');
  link.href = URL.createObjectURL(
    new Blob([archive as Uint8Array<ArrayBuffer>], { type: 'application/x-tar' }),
  );
  link.download = `${model.name}.tar`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

export function setUpTrainView(): void {
  byId('train-form').addEventListener('submit', (event) => {
    event.preventDefault();
    start().catch((error) => {
      running(false);
      byId('train-error').textContent = describeError(error);
    });
  });
  byId('train-stop').addEventListener('click', () => {
    worker?.postMessage({ type: 'stop' } satisfies TrainRequest);
    status('Stopping at the next step…');
  });
  byId('train-download').addEventListener('click', download);
  onDrop(byId('train-drop'), (files) => {
    dropped = files[0];
    if (dropped) status(`Dropped ${dropped.name}.`);
  });
  drawChart();
}
