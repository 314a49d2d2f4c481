import type { SyncRound } from '@tinymlops/tinylcm';

/**
 * A virtual device's sync rounds: one on demand, or one every `intervalMs` in the background, and
 * what the server acknowledged. Full and light devices differ only in what a round is.
 * @example
 * const loop = new SyncLoop(() => device.sync.syncOnce(), 2000);
 * loop.start();
 * await loop.stop(); // the running round finishes first
 */
export class SyncLoop {
  readonly acked = new Set<string>();
  lastRound: SyncRound | undefined;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #stopped = false;

  constructor(
    private readonly round: () => Promise<SyncRound | undefined>,
    private readonly intervalMs: number,
  ) {}

  /** One round now; records what the server acknowledged. */
  async once(): Promise<SyncRound | undefined> {
    const round = await this.round();
    if (round?.ran) this.lastRound = round;
    for (const id of round?.uploaded ?? []) this.acked.add(id);
    return round;
  }

  /** Starts the background rounds (idempotent). */
  start(): void {
    this.#loop ??= (async () => {
      while (!this.#stopped) {
        await this.once();
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, this.intervalMs);
          this.#wake = () => (clearTimeout(t), resolve());
        });
      }
    })();
  }

  /** Ends the background rounds, waiting for the one running. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    await this.#loop;
  }
}
