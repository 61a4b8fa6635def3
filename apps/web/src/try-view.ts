import { Classifier, loadBundle, type Prediction } from '@lstmkit/model';
import { byId, describeError, el, onDrop } from './dom';
import {
  type OpenModel,
  onModelChange,
  openModel,
  setOpenModel,
  type TrainReport,
} from './model-state';

const MAX_SENTENCES = 50;
/** The same tolerance the tests hold the page to: float32 on two machines. */
const AGREEMENT = 1e-5;

const input = () => byId<HTMLTextAreaElement>('try-input');

function sentences(): string[] {
  return input()
    .value.split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .slice(0, MAX_SENTENCES);
}

/** The words after cleaning, unknown ones marked, those past the sequence length struck. */
function words(classifier: Classifier, text: string): HTMLElement {
  const { pipeline } = classifier.bundle;
  const tokens = pipeline.tokens(text);
  const { length, truncating } = pipeline.config.sequence;
  const firstKept = truncating === 'pre' ? Math.max(0, tokens.length - length) : 0;
  const line = el('p', { class: 'tokens' }, el('span', { class: 'what' }, 'Words: '));
  tokens.forEach((token, i) => {
    const kept = i >= firstKept && i < firstKept + length;
    const unknown = pipeline.vocabulary.id(token) === pipeline.vocabulary.unkId;
    const node = unknown
      ? el('mark', { class: 'unk', title: 'not in the vocabulary' }, token)
      : el('span', {}, token);
    if (!kept) node.classList.add('cut');
    line.append(node, ' ');
  });
  if (tokens.length === 0) line.append(el('em', {}, 'no tokens'));
  return line;
}

/** What the model read: the encoded ids back as tokens, padding left out. */
function modelInput(classifier: Classifier, text: string): HTMLElement {
  const { pipeline } = classifier.bundle;
  const ids = Array.from(pipeline.encode(text)).filter((id) => id !== pipeline.vocabulary.padId);
  return el(
    'p',
    { class: 'seen' },
    el(
      'span',
      { class: 'what' },
      `Model input (${ids.length} of ${pipeline.config.sequence.length} tokens): `,
    ),
    ids.map((id) => pipeline.vocabulary.token(id)).join(' '),
  );
}

function probabilityText(classifier: Classifier, prediction: Prediction): string {
  const names = classifier.bundle.labelNames;
  return names.length === 2 ? `P(${names[1]})` : `P(${prediction.label})`;
}

function render(): void {
  const results = byId('try-results');
  const model = openModel();
  if (model === undefined) return;
  const texts = sentences();
  const { classifier } = model;
  const predictions = classifier.predict(texts);
  results.replaceChildren(
    ...texts.map((text, i) => {
      const p = predictions[i]!;
      return el(
        'li',
        { class: 'result' },
        el(
          'p',
          { class: 'prediction' },
          el('strong', { class: 'label' }, p.label),
          ' ',
          el('span', { class: 'what' }, `${probabilityText(classifier, p)} = `),
          el('output', { class: 'probability' }, p.probability.toFixed(6)),
        ),
        el('p', { class: 'text' }, text),
        words(classifier, text),
        modelInput(classifier, text),
        el('p', { class: 'server' }),
      );
    }),
  );
  if (byId<HTMLInputElement>('try-server').checked) void compareWithServer(texts, predictions);
}

let comparison = 0;

/** Sends the same texts to this server's /predict and shows whether both agree. */
async function compareWithServer(texts: string[], local: Prediction[]): Promise<void> {
  const run = ++comparison;
  const slots = Array.from(byId('try-results').querySelectorAll<HTMLElement>('.server'));
  if (texts.length === 0) return;
  let remote: number[];
  try {
    const response = await fetch(new URL('predict', location.href), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input: texts }),
    });
    const body = await response.json();
    if (!response.ok) throw new Error(body?.error?.message ?? `HTTP ${response.status}`);
    remote = body.response as number[];
  } catch (error) {
    if (run === comparison)
      slots.forEach((slot) => {
        slot.textContent = `Server: ${describeError(error)}`;
      });
    return;
  }
  if (run !== comparison) return;
  slots.forEach((slot, i) => {
    const difference = Math.abs(remote[i]! - local[i]!.probability);
    const agrees = difference <= AGREEMENT;
    slot.className = `server ${agrees ? 'agree' : 'disagree'}`;
    slot.textContent = `Server /predict: ${remote[i]!.toFixed(6)} (${agrees ? '✓ agrees' : '✗ differs'}, |Δ| = ${difference.toExponential(1)})`;
  });
}

async function fetchReport(base: URL): Promise<Pick<OpenModel, 'report' | 'history'>> {
  const [report, history] = await Promise.all([
    fetch(new URL('report.json', base)).then((r) =>
      r.ok ? (r.json() as Promise<TrainReport>) : undefined,
    ),
    fetch(new URL('history.jsonl', base)).then((r) => (r.ok ? r.text() : undefined)),
  ]).catch(() => [undefined, undefined] as const);
  return {
    ...(report && { report }),
    ...(history && {
      history: history
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line)),
    }),
  };
}

async function open(
  describe: string,
  load: () => Promise<Omit<OpenModel, 'classifier'> & { classifier: Promise<Classifier> }>,
): Promise<void> {
  const error = byId('open-error');
  error.textContent = '';
  byId('model-status').textContent = `Opening ${describe}…`;
  try {
    const { classifier, ...rest } = await load();
    setOpenModel({ ...rest, classifier: await classifier });
  } catch (failure) {
    error.textContent = describeError(failure);
    byId('model-status').textContent = openModel()
      ? `Model: ${openModel()!.name}`
      : 'No model open.';
  }
}

const classifierOf = async (source: Parameters<typeof loadBundle>[0]) =>
  new Classifier(await loadBundle(source));

/** The bundle `lstmkit serve` runs, with its report; false when this page is not served by it. */
export async function openServedModel(): Promise<boolean> {
  const base = new URL('bundle/', location.href);
  const present = await fetch(new URL('manifest.json', base), { method: 'HEAD' }).then(
    (r) => r.ok,
    () => false,
  );
  if (!present) return false;
  await open('the served model', async () => ({
    classifier: classifierOf(base),
    name: 'served model',
    source: 'server',
    ...(await fetchReport(new URL('report/', location.href))),
  }));
  return true;
}

async function openFiles(files: File[]): Promise<void> {
  if (files.length === 0) return;
  const reportFile = files.find((f) => f.name === 'report.json');
  const historyFile = files.find((f) => f.name === 'history.jsonl');
  const folder = (files[0] as { webkitRelativePath?: string }).webkitRelativePath?.split('/')[0];
  await open('the picked files', async () => ({
    classifier: classifierOf(files),
    name: folder || 'bundle from disk',
    source: 'files',
    ...(reportFile && { report: JSON.parse(await reportFile.text()) }),
    ...(historyFile && {
      history: (await historyFile.text())
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l)),
    }),
  }));
}

export function setUpTryView(): void {
  let pending = 0;
  input().addEventListener('input', () => {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(render);
  });
  byId('try-server').addEventListener('change', render);
  byId('open-served').addEventListener('click', async () => {
    if (!(await openServedModel())) {
      byId('open-error').textContent =
        'This page is not served by `lstmkit serve` (no /bundle/ here).';
    }
  });
  byId('open-url-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const url = new URL(byId<HTMLInputElement>('open-url').value, location.href);
    if (!url.pathname.endsWith('/')) url.pathname += '/';
    void open(url.href, async () => ({
      classifier: classifierOf(url),
      name: url.pathname.split('/').filter(Boolean).at(-1) ?? url.host,
      source: 'url',
      ...(await fetchReport(new URL('../report/', url))),
    }));
  });
  byId<HTMLInputElement>('open-files').addEventListener('change', (event) => {
    void openFiles(Array.from((event.target as HTMLInputElement).files ?? []));
  });
  onDrop(byId('open-drop'), (files) => void openFiles(files));
  // File System Access (Chromium): the folder itself, read through loadBundle's handle reader.
  const picker = (window as { showDirectoryPicker?: () => Promise<FileSystemDirectoryHandle> })
    .showDirectoryPicker;
  if (picker) {
    byId('open-folder-row').hidden = false;
    byId('open-folder').addEventListener('click', async () => {
      const handle = await picker.call(window).catch(() => undefined);
      if (!handle) return;
      void open(`${handle.name}/`, async () => ({
        classifier: classifierOf(handle),
        name: handle.name,
        source: 'files',
      }));
    });
  }
  onModelChange((model) => {
    const served = model.source === 'server';
    const toggle = byId<HTMLInputElement>('try-server');
    toggle.disabled = !served;
    if (!served) toggle.checked = false;
    byId('model-status').textContent =
      `Model: ${model.name} (${model.classifier.bundle.labelNames.join(' / ')})`;
    render();
  });
}
