/** How a GroupCommit forms batches. */
export interface GroupCommitOptions<I> {
  /** Most items in one batch. */
  readonly maxBatch: number;
  /** Most batches running at once. */
  readonly maxInFlight: number;
  /**
   * Items with the same key are never in the same batch nor in two running batches, so they are
   * applied one after the other in arrival order (e.g. two heartbeats of one device). Without
   * it every item is independent (e.g. lookups).
   */
  readonly keyOf?: (item: I) => string;
  /**
   * Bounds a batch by what its items weigh (e.g. the bytes one blob will hold): a batch takes, in
   * arrival order, the items that still fit under `max`; its first item always goes in.
   */
  readonly weight?: { readonly of: (item: I) => number; readonly max: number };
}

interface Pending<I, R> {
  readonly item: I;
  readonly key: string;
  readonly resolve: (r: R) => void;
  readonly reject: (err: unknown) => void;
}

/**
 * Group commit: items submitted while a batch runs are collected and written together by the
 * next batch — one statement (one round trip, one commit) for many requests. Nothing waits on a
 * timer: an item arriving when a slot is free starts a batch at the next turn of the event loop
 * (so the requests parsed in the same turn go together), and under load the batches grow by
 * themselves. Each submit resolves only after its batch has run, so an answer still means the
 * item was written. When a batch fails, its items are retried one by one, so one bad item fails
 * alone instead of taking its neighbours with it.
 * @example
 * const gc = new GroupCommit(async (rows) => writeAll(rows), { maxBatch: 256, maxInFlight: 2, keyOf: (r) => r.id });
 * const result = await gc.submit(row);
 */
export class GroupCommit<I, R> {
  private queue: Pending<I, R>[] = [];
  private readonly running = new Set<string>();
  private inFlight = 0;
  private submitted = 0;
  private scheduled = false;

  /** `run` gets a batch and answers one result per item, in the same order. */
  constructor(
    private readonly run: (items: I[]) => Promise<R[]>,
    private readonly options: GroupCommitOptions<I>,
  ) {}

  /** Queues an item; resolves with its result once its batch has run. */
  submit(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const key = this.options.keyOf?.(item) ?? `#${this.submitted++}`;
      this.queue.push({ item, key, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.options.maxInFlight || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      while (this.inFlight < this.options.maxInFlight) {
        const batch = this.take();
        if (batch.length === 0) break;
        void this.runBatch(batch);
      }
    });
  }

  /** The oldest items whose keys are neither in the batch nor running; the rest keep their places. */
  private take(): Pending<I, R>[] {
    const { maxBatch, weight } = this.options;
    const batch: Pending<I, R>[] = [];
    const rest: Pending<I, R>[] = [];
    let load = 0;
    for (const p of this.queue) {
      const w = weight ? weight.of(p.item) : 0;
      const fits = batch.length === 0 || !weight || load + w <= weight.max;
      if (batch.length < maxBatch && fits && !this.running.has(p.key)) {
        this.running.add(p.key);
        batch.push(p);
        load += w;
      } else rest.push(p);
    }
    this.queue = rest;
    return batch;
  }

  private async runBatch(batch: Pending<I, R>[]): Promise<void> {
    this.inFlight++;
    try {
      await this.settle(batch);
    } finally {
      for (const p of batch) this.running.delete(p.key);
      this.inFlight--;
      this.schedule();
    }
  }

  private async settle(batch: Pending<I, R>[]): Promise<void> {
    try {
      const results = await this.run(batch.map((p) => p.item));
      batch.forEach((p, i) => p.resolve(results[i]!));
    } catch (err) {
      if (batch.length === 1) return batch[0]!.reject(err);
      for (const p of batch) await this.settle([p]);
    }
  }
}
