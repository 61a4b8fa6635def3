import { LstmkitError } from '@lstmkit/preprocess';

/**
 * One shard of an encoded split: up to `SHARD_ROWS` examples as token ids without padding
 * (ragged rows, `offsets[r]..offsets[r + 1]` in `ids`), their label indices and, when the data
 * is weighted, their loss weights. The file layout (little-endian) is the trainer README's:
 *
 *   "LKS1"  u32 rows  u32 tokens  u32 flags (bit 0: ids are uint16, else int32; bit 1: weights)
 *   u32 offsets[rows + 1]  i32 labels[rows]  f32 weights[rows] (bit 1)  ids[tokens]
 */
export interface Shard {
  rows: number;
  offsets: Uint32Array;
  labels: Int32Array;
  weights: Float32Array | undefined;
  ids: Uint16Array | Int32Array;
}

/** Rows per shard: ~13 MB of uint16 ids at 100 tokens a row, and the shuffle window's order. */
export const SHARD_ROWS = 65_536;

const MAGIC = 0x31534b4c; // "LKS1"
const HEADER_BYTES = 16;
const UINT16_IDS = 1;
const HAS_WEIGHTS = 2;

/** Appends rows to the shard being built; `take()` returns its file bytes and starts the next. */
export class ShardBuilder {
  private offsets: number[] = [0];
  private labels: number[] = [];
  private weights: number[] = [];
  private ids: Int32Array = new Int32Array(1 << 16);
  private tokens = 0;

  constructor(
    private readonly wideIds: boolean,
    private readonly weighted: boolean,
  ) {}

  get rows(): number {
    return this.labels.length;
  }

  add(ids: ArrayLike<number>, label: number, weight: number): void {
    if (this.tokens + ids.length > this.ids.length) {
      const grown = new Int32Array(Math.max(this.ids.length * 2, this.tokens + ids.length));
      grown.set(this.ids.subarray(0, this.tokens));
      this.ids = grown;
    }
    for (let i = 0; i < ids.length; i++) this.ids[this.tokens + i] = ids[i] as number;
    this.tokens += ids.length;
    this.offsets.push(this.tokens);
    this.labels.push(label);
    if (this.weighted) this.weights.push(weight);
  }

  take(): Uint8Array {
    const bytes = encodeShard({
      rows: this.rows,
      offsets: Uint32Array.from(this.offsets),
      labels: Int32Array.from(this.labels),
      weights: this.weighted ? Float32Array.from(this.weights) : undefined,
      ids: this.wideIds
        ? this.ids.slice(0, this.tokens)
        : Uint16Array.from(this.ids.subarray(0, this.tokens)),
    });
    this.offsets = [0];
    this.labels = [];
    this.weights = [];
    this.tokens = 0;
    return bytes;
  }
}

export function encodeShard(shard: Shard): Uint8Array {
  const { rows, offsets, labels, weights, ids } = shard;
  const tokens = offsets[rows] as number;
  const idBytes = ids instanceof Uint16Array ? 2 : 4;
  const size =
    HEADER_BYTES + 4 * (rows + 1) + 4 * rows + (weights ? 4 * rows : 0) + idBytes * tokens;
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, rows, true);
  view.setUint32(8, tokens, true);
  view.setUint32(12, (idBytes === 2 ? UINT16_IDS : 0) | (weights ? HAS_WEIGHTS : 0), true);
  let at = HEADER_BYTES;
  const put = (array: ArrayBufferView) => {
    bytes.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), at);
    at += array.byteLength;
  };
  put(offsets);
  put(labels);
  if (weights) put(weights);
  put(ids.subarray(0, tokens));
  return bytes;
}

/** The shard in `bytes` (copied into aligned arrays); `name` is said in errors. */
export function decodeShard(bytes: Uint8Array, name: string): Shard {
  const corrupt = (what: string): never => {
    throw new LstmkitError('INVALID_DATA_DIR', `${name} is not a valid lstmkit shard: ${what}.`, {
      hint: 'Delete the encoded-data directory; the next run encodes the data again.',
    });
  };
  if (bytes.byteLength < HEADER_BYTES) corrupt('shorter than its header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) corrupt('wrong magic number');
  const rows = view.getUint32(4, true);
  const tokens = view.getUint32(8, true);
  const flags = view.getUint32(12, true);
  const idBytes = flags & UINT16_IDS ? 2 : 4;
  const weighted = (flags & HAS_WEIGHTS) !== 0;
  const expected =
    HEADER_BYTES + 4 * (rows + 1) + 4 * rows + (weighted ? 4 * rows : 0) + idBytes * tokens;
  if (bytes.byteLength !== expected) corrupt(`${bytes.byteLength} bytes, expected ${expected}`);
  let at = bytes.byteOffset + HEADER_BYTES;
  const take = <T>(make: (buffer: ArrayBuffer) => T, length: number): T => {
    const copy = bytes.buffer.slice(at, at + length);
    at += length;
    return make(copy as ArrayBuffer);
  };
  const offsets = take((b) => new Uint32Array(b), 4 * (rows + 1));
  const labels = take((b) => new Int32Array(b), 4 * rows);
  const weights = weighted ? take((b) => new Float32Array(b), 4 * rows) : undefined;
  const ids =
    idBytes === 2
      ? take((b) => new Uint16Array(b), 2 * tokens)
      : take((b) => new Int32Array(b), 4 * tokens);
  if (offsets[rows] !== tokens) corrupt('offsets do not end at the token count');
  return { rows, offsets, labels, weights, ids };
}
