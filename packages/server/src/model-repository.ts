import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Classifier, LstmkitError, type Prediction } from '@lstmkit/model';
import { MicroBatcher } from './micro-batcher.js';

/** Where models come from: one bundle, or a TensorFlow Serving layout `DIR/{name}/{version}/`. */
export type ModelSource =
  | { kind: 'bundle'; dir: string; name: string }
  | { kind: 'repository'; dir: string; keepVersions: number };

export type VersionState = 'LOADING' | 'AVAILABLE' | 'FAILED';

export interface VersionStatus {
  version: number;
  state: VersionState;
  /** Why a FAILED version was refused. */
  error?: string;
}

export interface RepositoryLog {
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface ModelRepositoryOptions {
  source: ModelSource;
  maxBatchSize: number;
  maxWaitMs: number;
  /** Texts each version's batcher holds at most; more are refused with 503 QUEUE_FULL. */
  maxQueuedItems: number;
  log: RepositoryLog;
  onBatch?: (model: ServedModel, size: number, seconds: number) => void;
  onQueueFull?: (model: ServedModel) => void;
  onLoad?: (name: string, version: number, result: 'success' | 'failure') => void;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const VERSION = /^[1-9]\d{0,15}$/;

/** One loaded, warmed-up model version with its own micro-batcher. */
export class ServedModel {
  readonly name: string;
  readonly version: number;
  readonly classifier: Classifier;
  readonly batcher: MicroBatcher<string, Prediction>;
  #inFlight = 0;
  #drained: (() => void)[] = [];
  #retired = false;

  constructor(
    name: string,
    version: number,
    classifier: Classifier,
    options: ModelRepositoryOptions,
  ) {
    this.name = name;
    this.version = version;
    this.classifier = classifier;
    this.batcher = new MicroBatcher({
      maxBatchSize: options.maxBatchSize,
      maxWaitMs: options.maxWaitMs,
      maxQueuedItems: options.maxQueuedItems,
      // The batcher's size is the model's: what it gathered runs as one call.
      run: (texts) => classifier.predict(texts, { batchSize: options.maxBatchSize }),
      onBatch: (size, seconds) => options.onBatch?.(this, size, seconds),
      onQueueFull: () => options.onQueueFull?.(this),
    });
  }

  get labels(): string[] {
    return this.classifier.bundle.labelNames;
  }

  /** Counted so that retiring waits for every request this version has accepted. */
  async predict(texts: string[]): Promise<Prediction[]> {
    if (this.#retired) {
      throw new LstmkitError(
        'MODEL_NOT_READY',
        `${this.name} version ${this.version} is unloading`,
      );
    }
    this.#inFlight += 1;
    try {
      return await this.batcher.submit(texts);
    } finally {
      this.#inFlight -= 1;
      if (this.#inFlight === 0) for (const done of this.#drained.splice(0)) done();
    }
  }

  /** Stops taking requests, answers those accepted, then frees the model's tensors. */
  async retire(): Promise<void> {
    this.#retired = true;
    await this.batcher.drain();
    if (this.#inFlight > 0) await new Promise<void>((resolve) => this.#drained.push(resolve));
    this.classifier.dispose();
  }
}

interface ModelEntry {
  /** Loaded versions; replaced, never mutated, so a request sees either the old or the new set. */
  served: ReadonlyMap<number, ServedModel>;
  loading: Set<number>;
  /** Refused versions and the directory fingerprint they were refused with. */
  failed: Map<number, { fingerprint: string; error: string }>;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** Changes when a file in the version directory is added, removed or rewritten. */
async function fingerprint(dir: string): Promise<string> {
  const names = (await readdir(dir)).sort();
  const parts = await Promise.all(
    names.map(async (name) => {
      const s = await stat(join(dir, name)).catch(() => undefined);
      return `${name}:${s?.size}:${s?.mtimeMs}`;
    }),
  );
  return parts.join('|');
}

/**
 * Refuses a model whose outputs are not probabilities (NaN or Infinity from corrupt or
 * overflowing weights): every request would fail, yet the server would report ready. The
 * probe texts use the most frequent tokens, so the embedding rows that matter are exercised.
 */
export function checkFiniteOutputs(classifier: Classifier): void {
  const { vocabulary } = classifier.bundle.pipeline;
  const frequent = Array.from({ length: Math.min(vocabulary.size - 2, 50) }, (_, i) =>
    vocabulary.token(i + 2),
  );
  const probes = ['warm up', frequent.join(' '), ...frequent.slice(0, 8)];
  const labels = classifier.bundle.labelNames.length;
  const bad = classifier.predict(probes).findIndex(({ probabilities }) => {
    const sum = probabilities.reduce((a, b) => a + b, 0);
    return (
      probabilities.length !== labels ||
      !probabilities.every(Number.isFinite) ||
      Math.abs(sum - 1) > 1e-3
    );
  });
  if (bad !== -1) {
    throw new LstmkitError(
      'BUNDLE_CORRUPT',
      `the model in ${classifier.bundle.dir} outputs NaN or Infinity, or not a probability distribution over ${labels} labels (warm-up prediction of ${JSON.stringify(probes[bad]!.slice(0, 40))}); its weights are damaged or overflow`,
      { hint: 'retrain the model or restore the bundle from a good copy' },
    );
  }
}

/** Loads, verifies (the bundle's hashes and shapes) and warms up one version. */
async function loadVerified(dir: string): Promise<Classifier> {
  // loadBundle's errors name the problem (missing, damaged, an interrupted save).
  const classifier = await Classifier.load(dir);
  try {
    // The first forward pass allocates and compiles kernels; pay it before the first client.
    checkFiniteOutputs(classifier);
    return classifier;
  } catch (error) {
    classifier.dispose();
    throw error;
  }
}

/**
 * The models a server serves. A scan (startup, the polling watcher, POST /admin/reload) loads
 * new versions completely before they replace the old ones in one assignment; old versions
 * drain and are disposed; a version that fails to load is recorded and the old one keeps serving.
 */
export class ModelRepository {
  readonly #options: ModelRepositoryOptions;
  readonly #models = new Map<string, ModelEntry>();
  #scan: Promise<void> = Promise.resolve();
  #pendingScan: Promise<void> | undefined;
  #watcher: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: ModelRepositoryOptions) {
    this.#options = options;
  }

  get source(): ModelSource {
    return this.#options.source;
  }

  /** Loads what is there. A single bundle that fails to load fails startup. */
  async start(): Promise<void> {
    const { source } = this.#options;
    if (source.kind === 'bundle') {
      const classifier = await loadVerified(source.dir);
      this.#models.set(source.name, {
        served: new Map([[1, new ServedModel(source.name, 1, classifier, this.#options)]]),
        loading: new Set(),
        failed: new Map(),
      });
      return;
    }
    if (!(await isDirectory(source.dir))) {
      throw new LstmkitError(
        'MODEL_REPOSITORY_NOT_FOUND',
        `model repository ${source.dir} is not a directory`,
        {
          hint: 'lay it out as DIR/{model name}/{version number}/ with one bundle per version',
        },
      );
    }
    await this.reload();
  }

  /**
   * Scans the repository once. Calls during a scan share the next one, so a change made while
   * a scan runs is always seen.
   */
  reload(): Promise<void> {
    if (this.#options.source.kind === 'bundle' || this.#closed) return Promise.resolve();
    this.#pendingScan ??= this.#scan.then(() => {
      this.#pendingScan = undefined;
      return this.#scanOnce();
    });
    this.#scan = this.#pendingScan;
    return this.#pendingScan;
  }

  /** Polls every `intervalMs` (no reliance on inotify, which misses changes on network volumes). */
  watch(intervalMs: number): void {
    if (this.#options.source.kind === 'bundle' || intervalMs === 0) return;
    const tick = () => {
      this.reload().then(
        () => {
          if (!this.#closed) this.#watcher = setTimeout(tick, intervalMs).unref();
        },
        (error: unknown) => this.#options.log.error({ err: error }, 'model repository scan failed'),
      );
    };
    this.#watcher = setTimeout(tick, intervalMs).unref();
  }

  /** The model `/predict` and `POST /` serve: the only one, or the first by name. */
  get defaultName(): string | undefined {
    return [...this.#models.keys()].sort()[0];
  }

  names(): string[] {
    return [...this.#models.keys()].sort();
  }

  /**
   * Some model has a version to serve. Not "every model": a broken model added to the
   * repository would otherwise take every replica out of the load balancer at once.
   */
  isReady(): boolean {
    return !this.#closed && [...this.#models.values()].some((entry) => entry.served.size > 0);
  }

  /** Known versions, newest first: loaded, loading and refused ones. */
  status(name: string): VersionStatus[] {
    const entry = this.#entry(name);
    const statuses = new Map<number, VersionStatus>();
    for (const [version, failure] of entry.failed) {
      statuses.set(version, { version, state: 'FAILED', error: failure.error });
    }
    for (const version of entry.loading) statuses.set(version, { version, state: 'LOADING' });
    for (const version of entry.served.keys())
      statuses.set(version, { version, state: 'AVAILABLE' });
    return [...statuses.values()].sort((a, b) => b.version - a.version);
  }

  /** Served versions, newest first. */
  versions(name: string): ServedModel[] {
    return [...this.#entry(name).served.values()].sort((a, b) => b.version - a.version);
  }

  /** The version to serve: the one asked for, or the newest loaded. Throws 404/503 codes. */
  resolve(name: string | undefined, version?: string | number): ServedModel {
    const modelName = name ?? this.defaultName;
    if (modelName === undefined) throw new LstmkitError('MODEL_NOT_READY', 'no model is loaded');
    const entry = this.#entry(modelName);
    if (version === undefined) {
      const latest = this.versions(modelName)[0];
      if (latest === undefined) {
        throw new LstmkitError('MODEL_NOT_READY', `model "${modelName}" has no loaded version`);
      }
      return latest;
    }
    const number =
      typeof version === 'number' ? version : VERSION.test(version) ? Number(version) : Number.NaN;
    const served = entry.served.get(number);
    if (served === undefined) {
      const known = [...entry.served.keys()].sort((a, b) => b - a).join(', ') || 'none';
      throw new LstmkitError(
        'MODEL_VERSION_NOT_FOUND',
        `model "${modelName}" has no loaded version "${version}" (loaded: ${known})`,
      );
    }
    return served;
  }

  /** Resolves and submits in the same turn, so the chosen version cannot retire in between. */
  async predict(
    name: string | undefined,
    version: string | number | undefined,
    texts: string[],
  ): Promise<{ model: ServedModel; predictions: Prediction[] }> {
    const model = this.resolve(name, version);
    return { model, predictions: await model.predict(texts) };
  }

  /** Texts waiting in every version's batcher. */
  get queuedTexts(): number {
    return this.#served().reduce((sum, model) => sum + model.batcher.queuedItems, 0);
  }

  /** Starts no new forward pass in any batcher until `drain` (a drain takes connections first). */
  pause(): void {
    for (const model of this.#served()) model.batcher.pause();
  }

  /** Runs what every batcher holds now instead of waiting for company. */
  async drain(): Promise<void> {
    await Promise.all(this.#served().map((model) => model.batcher.drain()));
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#watcher);
    await this.#scan.catch(() => {});
    const all = this.#served();
    this.#models.clear();
    await Promise.all(all.map((model) => model.retire()));
  }

  #served(): ServedModel[] {
    return [...this.#models.values()].flatMap((entry) => [...entry.served.values()]);
  }

  #entry(name: string): ModelEntry {
    const entry = this.#models.get(name);
    if (entry === undefined) {
      throw new LstmkitError(
        'MODEL_NOT_FOUND',
        `no model named "${name}" (serving: ${this.names().join(', ') || 'none'})`,
      );
    }
    return entry;
  }

  async #scanOnce(): Promise<void> {
    const source = this.#options.source;
    if (source.kind !== 'repository' || this.#closed) return;
    const found = new Map<string, number[]>();
    for (const name of await readdir(source.dir).catch(() => [] as string[])) {
      if (!NAME.test(name) || !(await isDirectory(join(source.dir, name)))) continue;
      const versions: number[] = [];
      for (const version of await readdir(join(source.dir, name)).catch(() => [] as string[])) {
        if (VERSION.test(version) && (await isDirectory(join(source.dir, name, version)))) {
          versions.push(Number(version));
        }
      }
      if (versions.length > 0)
        found.set(
          name,
          versions.sort((a, b) => b - a),
        );
    }
    for (const [name, entry] of this.#models) {
      if (found.has(name)) continue;
      this.#models.delete(name);
      this.#options.log.info({ model: name }, 'model removed from the repository; unloading');
      await Promise.all([...entry.served.values()].map((model) => model.retire()));
    }
    for (const [name, versions] of found) {
      await this.#syncModel(name, versions.slice(0, source.keepVersions), source.dir);
    }
  }

  async #syncModel(name: string, wanted: number[], root: string): Promise<void> {
    let entry = this.#models.get(name);
    if (entry === undefined) {
      entry = { served: new Map(), loading: new Set(), failed: new Map() };
      this.#models.set(name, entry);
    }
    for (const version of wanted) {
      if (entry.served.has(version) || this.#closed) continue;
      const dir = join(root, name, String(version));
      const print = await fingerprint(dir).catch(() => '');
      if (entry.failed.get(version)?.fingerprint === print) continue;
      entry.loading.add(version);
      try {
        const classifier = await loadVerified(dir);
        entry.failed.delete(version);
        entry.served = new Map([
          ...entry.served,
          [version, new ServedModel(name, version, classifier, this.#options)],
        ]);
        this.#options.onLoad?.(name, version, 'success');
        this.#options.log.info({ model: name, version }, 'model version loaded');
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        entry.failed.set(version, { fingerprint: print, error: message });
        this.#options.onLoad?.(name, version, 'failure');
        this.#options.log.error(
          { model: name, version, err: error },
          'model version failed to load; the previous version keeps serving',
        );
      } finally {
        entry.loading.delete(version);
      }
    }
    const keep = [...entry.served.keys()].filter((version) => wanted.includes(version));
    // Nothing wanted could be loaded: keep serving what is loaded rather than nothing.
    if (keep.length === 0) return;
    const retiring = [...entry.served.values()].filter((model) => !keep.includes(model.version));
    if (retiring.length === 0) return;
    entry.served = new Map(keep.map((version) => [version, entry.served.get(version)!]));
    for (const model of retiring) {
      this.#options.log.info({ model: name, version: model.version }, 'model version unloading');
    }
    await Promise.all(retiring.map((model) => model.retire()));
    for (const version of [...entry.failed.keys()]) {
      if (version < Math.min(...keep)) entry.failed.delete(version);
    }
  }
}

/** The bundle source's model name: its directory's name. */
export function bundleModelName(dir: string): string {
  return basename(dir.replace(/[\\/]+$/, '')) || 'model';
}
