import { LstmkitError } from '@lstmkit/model';

export interface MicroBatcherOptions<T, R> {
  /** Most items per call to `run`; 1 runs every item on its own. */
  maxBatchSize: number;
  /** How long the oldest queued submission waits for company; 0 waits one event-loop turn. */
  maxWaitMs: number;
  /** Most items waiting for a run; a submission that would go over is refused with `QUEUE_FULL`. */
  maxQueuedItems: number;
  /** Must return one result per item, in order. */
  run: (items: T[]) => R[] | Promise<R[]>;
  /** Called after each run with its item count and duration. */
  onBatch?: (size: number, seconds: number) => void;
  /** Called for each submission refused because the queue is full. */
  onQueueFull?: () => void;
}

interface Job<T, R> {
  items: T[];
  /** Items of this job already handed to a run. */
  taken: number;
  results: R[];
  /** Runs of this job not yet finished. */
  pending: number;
  failed: boolean;
  resolve: (results: R[]) => void;
  reject: (error: unknown) => void;
}

interface Slice<T, R> {
  job: Job<T, R>;
  from: number;
  to: number;
}

/**
 * Coalesces concurrent submissions into `run` calls of at most `maxBatchSize` items; a larger
 * submission is cut into several runs. One run at a time, and the event loop gets a turn
 * between runs, so other requests (health checks, new connections, request bodies) are served
 * while a backlog is worked through, and what queues meanwhile forms the next batch.
 */
export class MicroBatcher<T, R> {
  readonly #options: MicroBatcherOptions<T, R>;
  #queue: Job<T, R>[] = [];
  #queuedItems = 0;
  #timer: { cancel: () => void } | undefined;
  // True from the start of a run until the event-loop turn after it ends.
  #running = false;
  #draining = false;
  #paused = false;
  #idleWaiters: (() => void)[] = [];

  constructor(options: MicroBatcherOptions<T, R>) {
    this.#options = options;
  }

  /** Items waiting for a run (not counting the run in progress). */
  get queuedItems(): number {
    return this.#queuedItems;
  }

  submit(items: T[]): Promise<R[]> {
    const { maxQueuedItems } = this.#options;
    if (this.#queuedItems > 0 && this.#queuedItems + items.length > maxQueuedItems) {
      this.#options.onQueueFull?.();
      return Promise.reject(
        new LstmkitError(
          'QUEUE_FULL',
          `the prediction queue is full (${this.#queuedItems} texts waiting, maxQueuedTexts ${maxQueuedItems}); retry shortly`,
        ),
      );
    }
    if (items.length === 0) return Promise.resolve([]);
    return new Promise<R[]>((resolve, reject) => {
      this.#queue.push({
        items,
        taken: 0,
        results: new Array<R>(items.length),
        pending: 0,
        failed: false,
        resolve,
        reject,
      });
      this.#queuedItems += items.length;
      this.#schedule();
    });
  }

  /**
   * From now on runs what is queued without waiting for `maxWaitMs` (for shutdown); resolves
   * once nothing is queued or running.
   */
  drain(): Promise<void> {
    this.#draining = true;
    this.#paused = false;
    this.#cancelTimer();
    this.#runNext();
    if (!this.#running && this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Starts no new run until `drain`; a run in progress finishes. */
  pause(): void {
    this.#paused = true;
    this.#cancelTimer();
  }

  #schedule(): void {
    if (this.#running || this.#paused || this.#queue.length === 0) return;
    if (this.#draining || this.#queuedItems >= this.#options.maxBatchSize) {
      this.#cancelTimer();
      this.#runNext();
      return;
    }
    if (this.#timer !== undefined) return;
    const fire = () => {
      this.#timer = undefined;
      this.#runNext();
    };
    if (this.#options.maxWaitMs === 0) {
      // setImmediate runs after the current poll phase, so every request already read joins.
      const handle = setImmediate(fire);
      this.#timer = { cancel: () => clearImmediate(handle) };
    } else {
      const handle = setTimeout(fire, this.#options.maxWaitMs);
      this.#timer = { cancel: () => clearTimeout(handle) };
    }
  }

  #cancelTimer(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  /** Up to `maxBatchSize` items from the front of the queue, cutting a job if it must. */
  #takeBatch(): Slice<T, R>[] {
    const slices: Slice<T, R>[] = [];
    let room = this.#options.maxBatchSize;
    while (room > 0 && this.#queue.length > 0) {
      const job = this.#queue[0]!;
      const from = job.taken;
      const to = Math.min(job.items.length, from + room);
      slices.push({ job, from, to });
      job.taken = to;
      job.pending += 1;
      room -= to - from;
      if (to === job.items.length) this.#queue.shift();
    }
    this.#queuedItems -= this.#options.maxBatchSize - room;
    return slices;
  }

  #runNext(): void {
    if (this.#running || this.#paused || this.#queue.length === 0) return;
    const slices = this.#takeBatch();
    this.#running = true;
    void this.#execute(slices).finally(() => {
      // Yield before the next run: without this turn, back-to-back runs starve all other I/O.
      setImmediate(() => {
        this.#running = false;
        if (this.#queue.length > 0) {
          // Work that queued up during the run goes now: it has already waited at least that long.
          this.#cancelTimer();
          this.#runNext();
        } else {
          for (const resolve of this.#idleWaiters.splice(0)) resolve();
        }
      });
    });
  }

  async #execute(slices: Slice<T, R>[]): Promise<void> {
    const items =
      slices.length === 1 && slices[0]!.from === 0 && slices[0]!.to === slices[0]!.job.items.length
        ? slices[0]!.job.items
        : slices.flatMap(({ job, from, to }) => job.items.slice(from, to));
    const started = performance.now();
    try {
      const results = await this.#options.run(items);
      if (results.length !== items.length) {
        throw new Error(`batch run returned ${results.length} results for ${items.length} items`);
      }
      this.#options.onBatch?.(items.length, (performance.now() - started) / 1000);
      let offset = 0;
      for (const { job, from, to } of slices) {
        for (let i = from; i < to; i++) job.results[i] = results[offset++]!;
        this.#settle(job);
      }
    } catch (error) {
      for (const { job } of slices) this.#fail(job, error);
    }
  }

  #settle(job: Job<T, R>): void {
    job.pending -= 1;
    if (!job.failed && job.pending === 0 && job.taken === job.items.length) {
      job.resolve(job.results);
    }
  }

  #fail(job: Job<T, R>, error: unknown): void {
    job.pending -= 1;
    if (job.failed) return;
    job.failed = true;
    // The rest of a failed job is not worth running.
    const index = this.#queue.indexOf(job);
    if (index !== -1) {
      this.#queue.splice(index, 1);
      this.#queuedItems -= job.items.length - job.taken;
    }
    job.reject(error);
  }
}
