import type { Gauge } from 'prom-client';

/**
 * Bytes ingestion may hold in memory at once, shared by every worker loop of a process: each
 * package's archive is charged (compressed, plus twice what it extracted to: the entries, and the
 * copies its rows and batch blob are made from) from when it is loaded until its batch is written.
 * A count of packages bounds nothing when one 0.94 MB package extracts to 64 MiB; bytes do. A
 * loop never waits while it holds bytes (it writes what it holds first), so loops cannot wait for
 * each other; one package larger than the whole budget still goes through, alone.
 * @example
 * const budget = new IngestMemoryBudget(192 << 20);
 * if (!budget.tryTake(n)) { await flush(); await budget.take(n); } … budget.give(n);
 */
export class IngestMemoryBudget {
  private inUse = 0;
  private readonly waiting: { bytes: number; grant: () => void }[] = [];

  constructor(
    readonly capacity: number,
    private readonly gauge?: Gauge,
  ) {}

  /** Takes `bytes` if they fit now (or nothing is held at all); false otherwise. */
  tryTake(bytes: number): boolean {
    if (this.waiting.length > 0 || !this.fits(bytes)) return false;
    this.add(bytes);
    return true;
  }

  /** Waits (first come, first served) until `bytes` fit, then takes them. Call it holding nothing. */
  take(bytes: number): Promise<void> {
    if (this.tryTake(bytes)) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push({ bytes, grant: resolve }));
  }

  /** Gives back bytes taken before, and lets waiting loops in. */
  give(bytes: number): void {
    this.add(-bytes);
    while (this.waiting.length > 0 && this.fits(this.waiting[0]!.bytes)) {
      const next = this.waiting.shift()!;
      this.add(next.bytes);
      next.grant();
    }
  }

  private fits(bytes: number): boolean {
    return this.inUse === 0 || this.inUse + bytes <= this.capacity;
  }

  private add(bytes: number): void {
    this.inUse += bytes;
    this.gauge?.set(this.inUse);
  }
}
