import type { DatasetSource } from '@lstmkit/preprocess';
import type { PassEvent } from './types.js';

/** Emits `pass` events for one pass, at most every 100 ms, and its end. */
export function passReporter(
  onEvent: (event: PassEvent) => void,
  pass: PassEvent['pass'],
  unit: PassEvent['unit'],
  total: number | undefined,
) {
  const started = performance.now();
  let last = started;
  const event = (done: number, extra: Partial<PassEvent> = {}): PassEvent => ({
    type: 'pass',
    pass,
    done,
    total,
    unit,
    seconds: (performance.now() - started) / 1000,
    ...extra,
  });
  onEvent(event(0));
  return {
    progress(done: number) {
      const now = performance.now();
      if (now - last < 100) return;
      last = now;
      onEvent(event(done));
    },
    finish(done: number) {
      onEvent(event(done, { finished: true }));
    },
  };
}

/** The one event of a pass skipped because its result was read from the encoded data. */
export function cachedPass(
  onEvent: (event: PassEvent) => void,
  pass: PassEvent['pass'],
  rows: number,
): void {
  onEvent({
    type: 'pass',
    pass,
    done: rows,
    total: rows,
    unit: 'rows',
    seconds: 0,
    finished: true,
    cached: true,
  });
}

/**
 * One pass over a source's records, reported as `pass`: progress in bytes (files) or records
 * (memory), with the lenient reader's skipped records counted.
 */
export function readPass(
  source: DatasetSource,
  onEvent: (event: PassEvent) => void,
  pass: 'count' | 'encode' | 'test',
) {
  const unit = source.bytes === undefined ? 'rows' : 'bytes';
  const report = passReporter(onEvent, pass, unit, source.bytes ?? source.count);
  let skipped = 0;
  const records = source.records({
    onProgress: ({ bytes, records }) => report.progress(unit === 'bytes' ? bytes : records),
    onSkipped: () => skipped++,
  });
  return {
    records,
    /** Ends the pass: its total is the file's bytes, or the records read. */
    finish: (recordsRead: number) => report.finish(source.bytes ?? recordsRead),
    skipped: () => skipped,
  };
}
