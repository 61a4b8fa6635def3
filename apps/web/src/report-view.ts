import { type Metrics, renderTrainingSvg } from '@lstmkit/trainer';
import { format, lineChart } from './charts';
import { byId, el } from './dom';
import { type OpenModel, onModelChange, type TrainReport } from './model-state';

const BLUE = '#0b57d0';
const GREY = '#5f6368';

function figure(svg: string, caption: string, className: string): HTMLElement {
  const body = el('div', { class: `chart ${className}` });
  body.innerHTML = svg;
  return el('figure', {}, body, el('figcaption', {}, caption));
}

function definitionList(rows: [string, string][]): HTMLElement {
  return el(
    'dl',
    { class: 'facts' },
    ...rows.flatMap(([term, value]) => [el('dt', {}, term), el('dd', {}, value)]),
  );
}

function confusionMatrix(metrics: Metrics, labels: string[]): HTMLElement {
  const head = el(
    'tr',
    {},
    el('th', { scope: 'col' }, 'true ↓ / predicted →'),
    ...labels.map((l) => el('th', { scope: 'col' }, l)),
  );
  const rows = metrics.confusionMatrix.map((row, i) =>
    el(
      'tr',
      {},
      el('th', { scope: 'row' }, labels[i] ?? String(i)),
      ...row.map((count, j) => el('td', { class: i === j ? 'hit' : '' }, String(count))),
    ),
  );
  return el(
    'table',
    { class: 'confusion' },
    el('caption', {}, `Confusion matrix, test split (${metrics.count} examples)`),
    el('thead', {}, head),
    el('tbody', {}, ...rows),
  );
}

function rocChart(metrics: Metrics): HTMLElement | undefined {
  if (!metrics.rocCurve) return undefined;
  const auc = metrics.rocAuc === undefined ? '' : ` (AUC ${metrics.rocAuc.toFixed(3)})`;
  return figure(
    lineChart({
      title: `ROC curve, test split${auc}`,
      description: `True positive rate against false positive rate over ${metrics.rocCurve.length} thresholds${auc}.`,
      xLabel: 'false positive rate',
      yLabel: 'true positive rate',
      x: [0, 1],
      y: [0, 1],
      series: [
        { name: 'model', color: BLUE, points: metrics.rocCurve },
        {
          name: 'chance',
          color: GREY,
          points: [
            [0, 0],
            [1, 1],
          ],
          dashed: true,
        },
      ],
    }),
    `ROC curve of the test split${auc}.`,
    'roc',
  );
}

function lengthChart(lengths: NonNullable<TrainReport['lengths']>): HTMLElement {
  const share = lengths.count === 0 ? 0 : (100 * lengths.truncated) / lengths.count;
  return figure(
    lineChart({
      title: 'Tokens per training example',
      description: `Median ${lengths.p50}, 95th percentile ${lengths.p95}, longest ${lengths.max}; the model reads ${lengths.sequenceLength} tokens, so ${lengths.truncated} examples are cut.`,
      xLabel: 'tokens per example',
      yLabel: 'examples',
      series: [],
      bars: lengths.histogram.map(
        (bin) => [bin.from, bin.to + 1, bin.count] as [number, number, number],
      ),
      marker: { x: lengths.sequenceLength, label: `sequence length ${lengths.sequenceLength}` },
    }),
    `Length distribution of the training split: ${lengths.truncated} of ${lengths.count} examples (${share.toFixed(1)}%) are longer than the sequence length ${lengths.sequenceLength} and get truncated.`,
    'lengths',
  );
}

function modelFacts(model: OpenModel): HTMLElement {
  const { bundle } = model.classifier;
  const config = bundle.modelConfig;
  const sequence = bundle.pipeline.config.sequence;
  return el(
    'section',
    { class: 'model-facts' },
    el('h3', {}, 'Model'),
    definitionList([
      ['parameters', bundle.model.countParams().toLocaleString('en')],
      [
        'architecture',
        `${config.arch}, ${config.layers} layer${config.layers === 1 ? '' : 's'}, head ${config.head}`,
      ],
      ['embedding / hidden', `${config.embeddingDim} / ${config.hiddenSize}`],
      ['dropout', `${config.dropout} (recurrent ${config.recurrentDropout})`],
      ['vocabulary', `${bundle.pipeline.vocabulary.size.toLocaleString('en')} tokens`],
      [
        'sequence',
        `${sequence.length} tokens, padding ${sequence.padding}, truncating ${sequence.truncating}`,
      ],
      ['labels', bundle.labelNames.join(', ')],
      ['bundle', `format ${bundle.manifest.formatVersion}, ${bundle.manifest.createdAt}`],
    ]),
  );
}

function reportSections(model: OpenModel, report: TrainReport): HTMLElement[] {
  const { test, validation } = report.metrics;
  const sections: HTMLElement[] = [
    el(
      'section',
      {},
      el('h3', {}, `Run: ${report.dataset.name}`),
      definitionList([
        ['status', report.status + (report.stoppedEarly ? ' (stopped early)' : '')],
        ['best checkpoint', `epoch ${report.best.epoch}, step ${report.best.step}`],
        [
          'test',
          `accuracy ${format(test.accuracy)}, loss ${format(test.loss)}, F1 ${format(test.f1)}${test.rocAuc === undefined ? '' : `, AUC ${format(test.rocAuc)}`}`,
        ],
        ['validation', `accuracy ${format(validation.accuracy)}, loss ${format(validation.loss)}`],
        ['learning rate', `${report.config.learningRate} (constant: no schedule)`],
        [
          'batch size / epochs',
          `${report.config.batchSize} / ${report.epochsRun} of ${report.config.epochs}`,
        ],
        [
          'examples',
          Object.entries(report.dataset.sizes)
            .map(([k, v]) => `${k} ${v}`)
            .join(', '),
        ],
        [
          'speed',
          `${format(report.timings.trainSentencesPerSecond)} sentences/s on ${report.backend.name}`,
        ],
      ]),
    ),
  ];
  if (model.history && model.history.length > 0) {
    sections.push(
      figure(
        renderTrainingSvg(model.history, `${report.dataset.name}: loss and accuracy`),
        `Loss and accuracy at each of the ${model.history.length} evaluations, best checkpoint marked.`,
        'history',
      ),
    );
  }
  if (test.count > 0) sections.push(confusionMatrix(test, report.dataset.labelNames));
  const roc = rocChart(test);
  if (roc) sections.push(roc);
  if (report.lengths) sections.push(lengthChart(report.lengths));
  return sections;
}

export function setUpReportView(): void {
  onModelChange((model) => {
    const target = byId('report');
    const report = model.report;
    target.replaceChildren(
      ...(report
        ? reportSections(model, report)
        : [
            el(
              'p',
              {},
              `${model.name} has no training report here (the trainer writes it to <bundle>.report/; pick report.json and history.jsonl with the bundle's files to see it).`,
            ),
          ]),
      modelFacts(model),
    );
  });
}
