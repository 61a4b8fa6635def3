import type { PipelineJSON } from '@lstmkit/preprocess';

/** One split's shards as the manifest lists them. */
export interface ShardedSplit {
  rows: number;
  tokens: number;
  shards: { file: string; rows: number }[];
  /** Examples per label index. */
  labelCounts: number[];
  /** Whether the shards hold per-example loss weights. */
  weighted: boolean;
}

export type SplitName = 'train' | 'validation' | 'test';

/**
 * `manifest.json` of an encoded dataset (`<out>.data/`): what it was made from and of, so a run
 * with the same data and recipe reuses it. `fitKey` covers pass 1 (the data's digest, cleaning,
 * tokenizer, vocabulary options, split), `encodeKey` pass 2 (fitKey, the final vocabulary and
 * the validation bound). Documented in the trainer README.
 */
export interface DataManifest {
  format: 'lstmkit-encoded-data';
  formatVersion: 1;
  fitKey: string;
  encodeKey: string;
  source: { name: string; digest: string };
  labelNames: string[];
  /** Pass 1's findings: records read and skipped, token lengths of the train split (before truncation). */
  records: number;
  skipped: number;
  trainLengths: [length: number, count: number][];
  weighted: boolean;
  /** The dataset has validation records of its own (train records then all stay train). */
  givenValidation: boolean;
  /** Token counts the bounded count table dropped (0 below its cap). */
  pruned: { tokens: number; belowCount: number };
  /** Validation records beyond `maxValidation`, trained on instead. */
  validationToTrain: number;
  idType: 'uint16' | 'int32';
  splits: Record<SplitName, ShardedSplit>;
}

/**
 * Where a run's encoded data lives: files in `<out>.data/` (Node) or memory (browsers). The
 * manifest is written last, so a crash mid-encoding leaves no manifest and the next run
 * encodes again instead of reading half the shards.
 */
export interface DataStore {
  /** Named in events and messages. */
  readonly dir: string;
  /** The manifest and fitted pipeline (`pipeline.json`) of an earlier encoding, if complete. */
  readManifest(): Promise<{ manifest: DataManifest; pipeline: PipelineJSON } | undefined>;
  /** Removes an earlier encoding (only files this store wrote), manifest first. */
  clear(): Promise<void>;
  writeShard(file: string, bytes: Uint8Array): Promise<void>;
  readShard(file: string): Promise<Uint8Array>;
  commit(manifest: DataManifest, pipeline: PipelineJSON): Promise<void>;
}

export function memoryDataStore(name: string): DataStore {
  const shards = new Map<string, Uint8Array>();
  let saved: { manifest: DataManifest; pipeline: PipelineJSON } | undefined;
  return {
    dir: `${name}.data`,
    readManifest: async () => saved,
    async clear() {
      saved = undefined;
      shards.clear();
    },
    async writeShard(file, bytes) {
      shards.set(file, bytes);
    },
    async readShard(file) {
      const bytes = shards.get(file);
      if (bytes === undefined) throw new Error(`no shard ${file} in ${name}.data`);
      return bytes;
    },
    async commit(manifest, pipeline) {
      saved = { manifest, pipeline };
    },
  };
}

/** `train-00003.bin`. */
export function shardFileName(split: SplitName, index: number): string {
  return `${split}-${String(index).padStart(5, '0')}.bin`;
}

/** The names an encoded-data directory of ours holds. */
export const DATA_FILE = /^(?:manifest\.json|pipeline\.json|(?:train|validation|test)-\d{5}\.bin)$/;
