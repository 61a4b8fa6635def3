export interface MicroBatcherOptions<T, R> {
  /** Most items per call to `run`; 1 runs every submission on its own. */
  maxBatchSize: number;
  /** How long the oldest queued submission waits for company; 0 waits one event-loop turn. */
  maxWaitMs: number;
  /** Must return one result per item, in order. */
  run: (items: T[]) => R[] | Promise<R[]>;
  /** Called after each run with its item count and duration. */
  onBatch?: (size: number, seconds: number) => void;
}

interface Job<T, R> {
  items: T[];
  resolve: (results: R[]) => void;
  reject: (error: unknown) => void;
}

/**
 * Coalesces concurrent submissions into one `run` call. Submissions are never split: one larger
 * than `maxBatchSize` runs alone. One batch runs at a time, so while it runs the queue fills
 * and the next batch grows with the load.
 */
export class MicroBatcher<T, R> {
  readonly #options: MicroBatcherOptions<T, R>;
  #queue: Job<T, R>[] = [];
  #queuedItems = 0;
  #timer: { cancel: () => void } | undefined;
  #running = false;
  #idleWaiters: (() => void)[] = [];

  constructor(options: MicroBatcherOptions<T, R>) {
    this.#options = options;
  }

  submit(items: T[]): Promise<R[]> {
    return new Promise<R[]>((resolve, reject) => {
      this.#queue.push({ items, resolve, reject });
      this.#queuedItems += items.length;
      this.#schedule();
    });
  }

  /** Runs what is queued without waiting for `maxWaitMs`; resolves once nothing is queued or running. */
  flush(): Promise<void> {
    this.#cancelTimer();
    this.#runNext();
    if (!this.#running && this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #schedule(): void {
    if (this.#running || this.#queue.length === 0) return;
    if (this.#queuedItems >= this.#options.maxBatchSize) {
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

  #takeBatch(): Job<T, R>[] {
    const jobs: Job<T, R>[] = [];
    let size = 0;
    while (this.#queue.length > 0) {
      const next = this.#queue[0]!;
      if (jobs.length > 0 && size + next.items.length > this.#options.maxBatchSize) break;
      jobs.push(next);
      size += next.items.length;
      this.#queue.shift();
    }
    this.#queuedItems -= size;
    return jobs;
  }

  #runNext(): void {
    if (this.#running || this.#queue.length === 0) return;
    const jobs = this.#takeBatch();
    this.#running = true;
    void this.#execute(jobs).finally(() => {
      this.#running = false;
      if (this.#queue.length > 0) {
        // Work that queued up during the run goes now: it has already waited at least that long.
        this.#cancelTimer();
        this.#runNext();
      } else {
        for (const resolve of this.#idleWaiters.splice(0)) resolve();
      }
    });
  }

  async #execute(jobs: Job<T, R>[]): Promise<void> {
    const items = jobs.length === 1 ? jobs[0]!.items : jobs.flatMap((job) => job.items);
    const started = performance.now();
    try {
      const results = await this.#options.run(items);
      if (results.length !== items.length) {
        throw new Error(`batch run returned ${results.length} results for ${items.length} items`);
      }
      this.#options.onBatch?.(items.length, (performance.now() - started) / 1000);
      let offset = 0;
      for (const job of jobs) {
        job.resolve(results.slice(offset, offset + job.items.length));
        offset += job.items.length;
      }
    } catch (error) {
      for (const job of jobs) job.reject(error);
    }
  }
}
