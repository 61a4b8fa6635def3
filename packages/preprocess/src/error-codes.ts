/**
 * Every error code lstmkit throws or answers with, in one place: what it means, the exit code
 * of the `lstmkit` command and the HTTP status of the server. docs/errors.md is generated from
 * this table (`pnpm --filter @lstmkit/preprocess errors:docs`); a test fails when code anywhere
 * in the packages uses a code that is not here.
 */
export interface ErrorCodeInfo {
  meaning: string;
  /** 2: bad usage or invalid input; 1: anything else that failed. */
  exitCode: 1 | 2;
  httpStatus: number;
}

const usage = (meaning: string): ErrorCodeInfo => ({ meaning, exitCode: 2, httpStatus: 400 });
const failure = (meaning: string, httpStatus = 500): ErrorCodeInfo => ({
  meaning,
  exitCode: 1,
  httpStatus,
});

export const errorCatalog = {
  // Bad usage and invalid input: exit 2, HTTP 400.
  USAGE_ERROR: usage('A command-line flag, argument or combination of them is wrong.'),
  USAGE_INTERRUPTED_RUN: usage(
    '`lstmkit train` found an interrupted run beside --out: continue it (--resume) or discard it (--force).',
  ),
  INVALID_BACKEND: usage('The requested TensorFlow.js backend name is not one lstmkit knows.'),
  INVALID_BATCH_SIZE: usage('An inference batch size is not a positive integer.'),
  INVALID_BUNDLE: usage(
    'saveBundle was given contents that do not agree (labels, vocabulary, model).',
  ),
  INVALID_CHECKSUM_FILE: usage('A dataset SHA256SUMS file is malformed.'),
  INVALID_DATASET: usage(
    'A dataset or one of its splits cannot be trained on (empty, labels out of range).',
  ),
  INVALID_DATASET_FORMAT: usage(
    'A data file is not in the format it was read as (TSV, CSV, fastText, folders).',
  ),
  INVALID_DATASET_RECORD: usage('A data record is malformed (the message names file and line).'),
  INVALID_DATA_DIR: usage(
    'A file of the encoded-data directory (<out>.data/) is unreadable or corrupt; deleting the directory makes the next run encode again.',
  ),
  INVALID_DATASET_SPLIT: usage("A record's split tag is not train, validation or test."),
  INVALID_EMBEDDINGS: usage(
    'A word-vector file is malformed (the message names the file and line or entry).',
  ),
  INVALID_INPUT: usage(
    'A prediction request body (/predict or a protocol route) is not of its shape; the message names the field.',
  ),
  INVALID_JSON: usage('A request body is not valid JSON.'),
  INVALID_KERNEL: usage(
    'The fused LSTM kernel (the kernel option or LSTMKIT_KERNEL) is not auto, wasm or native.',
  ),
  INVALID_LENGTHS: usage(
    'Length statistics were asked of something other than non-negative numbers.',
  ),
  INVALID_LOAD_OPTIONS: usage('Dataset loading options are wrong (columns, format, limits).'),
  INVALID_MODEL_CONFIG: usage(
    'A model config field is missing or out of range (the message names it).',
  ),
  INVALID_OUTPUT_DIR: usage(
    'An output directory (or its .run/.report/.data/.lock sibling) holds files lstmkit did not write, or cannot be written; nothing is replaced.',
  ),
  INVALID_OPTION: usage('A server option or its environment variable is out of range.'),
  INVALID_PIPELINE_CONFIG: usage('A text pipeline config field is wrong (the message names it).'),
  INVALID_PIPELINE_JSON: usage('A saved pipeline (preprocess.json) cannot be read back.'),
  INVALID_REQUEST: usage('The HTTP request itself is malformed (the status says how).'),
  INVALID_SPLIT_OPTIONS: usage('Split options are wrong (seed, fractions).'),
  INVALID_THREADS: usage(
    'The fused LSTM kernel thread count (the threads option or LSTMKIT_THREADS) is not an integer from 1 to 256.',
  ),
  INVALID_TOKEN_ID: usage('A token id is outside the vocabulary.'),
  INVALID_TRAIN_OPTIONS: usage(
    'A training option is missing or out of range (the message names it and its limit).',
  ),
  INVALID_VOCABULARY_JSON: usage('A saved vocabulary cannot be read back.'),
  INVALID_VOCABULARY_OPTIONS: usage('Vocabulary options (maxSize, minCount) are out of range.'),
  // Requests the server refuses for their size or type.
  UNAUTHORIZED: failure('POST /admin/reload without the configured bearer token.', 401),
  NOT_FOUND: failure('No route for this method and path.', 404),
  MODEL_NOT_FOUND: failure('The server serves no model of that name.', 404),
  MODEL_VERSION_NOT_FOUND: failure('That version of the model is not loaded.', 404),
  REQUEST_TIMEOUT: failure(
    'A request did not arrive in time (headersTimeoutMs, requestTimeoutMs); the connection is closed.',
    408,
  ),
  PAYLOAD_TOO_LARGE: failure('The request body is larger than the body limit.', 413),
  TOO_MANY_ITEMS: failure('A /predict request holds more texts than the limit.', 413),
  TEXT_TOO_LONG: failure('A text is longer than the limit.', 413),
  UNSUPPORTED_MEDIA_TYPE: failure(
    'The request body is not UTF-8 application/json, plain or gzip-encoded.',
    415,
  ),
  HEADERS_TOO_LARGE: failure('The request headers are larger than the server accepts.', 431),
  QUEUE_FULL: failure(
    'maxQueuedTexts texts already wait for the model; retry after the Retry-After seconds.',
    503,
  ),
  MODEL_NOT_READY: failure('The model has no loaded version (yet), or it is unloading.', 503),
  // Runtime failures: exit 1, HTTP 500.
  BACKEND_UNAVAILABLE: failure('No requested TensorFlow.js backend could start.'),
  KERNEL_UNAVAILABLE: failure(
    'The native LSTM kernel was requested (LSTMKIT_KERNEL=native) but cannot load here (the message says why).',
  ),
  BUNDLE_CORRUPT: failure(
    'A model bundle file is missing, damaged or inconsistent (the message names it).',
  ),
  BUNDLE_NOT_FOUND: failure(
    'There is no model bundle directory at the path (the hint says if an interrupted save left one).',
  ),
  BUNDLE_VERSION: failure('A model bundle has a format version this @lstmkit/model does not read.'),
  CLASSIFIER_DISPOSED: failure('A Classifier was used after dispose().'),
  DATASET_CHECKSUM_MISMATCH: failure('A named dataset does not match its SHA256SUMS.'),
  DATASET_EMPTY: failure('A dataset holds no usable examples.'),
  DATASET_NOT_FOUND: failure('No dataset by that name or at that path.'),
  EMBEDDINGS_NOT_FOUND: failure(
    'No word-vector file at the path (or the named vectors package is not installed).',
  ),
  EMPTY_SPLIT: failure('The recreated test split of the dataset is empty.'),
  INTERNAL: failure('An unexpected server error (logged with its stack).'),
  LABEL_MISMATCH: failure(
    "The data has labels the model does not know (fine-tuning: the labels differ from the bundle's).",
  ),
  MODEL_REPOSITORY_NOT_FOUND: failure(
    'The model repository (modelsDir, DIR/{name}/{version}/) is not a directory.',
  ),
  OUTPUT_IN_USE: failure('Another lstmkit process is writing the same output directory.'),
  RESUME_MISMATCH: failure('--resume found a run started with other data or options.'),
  RUN_STATE_CORRUPT: failure('The saved run state (<out>.run) cannot be read.'),
  UI_NOT_FOUND: failure(
    "The server's uiDir holds no built web page (index.html): build apps/web or serve without it (--no-ui).",
  ),
  SPLIT_NOT_RECORDED: failure(
    "The model was trained on caller-given splits, so 'evaluate --split test' cannot recreate them.",
  ),
  TRAINING_DIVERGED: failure('Validation loss was never finite, so no checkpoint exists.'),
  UNSUPPORTED_TFJS: failure(
    'The installed @tensorflow/tfjs lacks an internal lstmkit relies on (see peerDependencies).',
  ),
  WORKER_FAILED: failure('A server worker process failed to start.'),
  // Operating-system errors as the CLI reports them.
  FILE_NOT_FOUND: failure('A file or directory does not exist.'),
  PERMISSION_DENIED: failure('The operating system refused access to a path.'),
  IS_A_DIRECTORY: failure('A file was expected but the path is a directory.'),
  NOT_A_DIRECTORY: failure('A directory was expected but the path is not one.'),
  DISK_FULL: failure('No space left on the device while writing.'),
  PORT_IN_USE: failure('The server port is taken by another process.'),
  ADDRESS_NOT_AVAILABLE: failure('The server cannot listen on that host address.'),
  UNEXPECTED: failure(
    'An error lstmkit did not expect (a bug: please report it with --debug output).',
  ),
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof errorCatalog;

/** The codes as constants: `ErrorCodes.BUNDLE_CORRUPT === 'BUNDLE_CORRUPT'`. */
export const ErrorCodes: { readonly [K in ErrorCode]: K } = Object.freeze(
  Object.fromEntries(Object.keys(errorCatalog).map((code) => [code, code])),
) as { readonly [K in ErrorCode]: K };

/** The catalog entry of a code; codes from elsewhere follow the naming rule (INVALID_*, USAGE_*: 2/400). */
export function errorCodeInfo(code: string): ErrorCodeInfo {
  if (Object.hasOwn(errorCatalog, code)) return errorCatalog[code as ErrorCode];
  return code.startsWith('USAGE_') || code.startsWith('INVALID_') ? usage('') : failure('');
}
