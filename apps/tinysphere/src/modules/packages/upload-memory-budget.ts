import { TinyMLOpsError } from '@tinymlops/contracts';
import type { Counter, Gauge } from 'prom-client';

/** 503 UNAVAILABLE with `Retry-After`: the device keeps its package and sends it again later. */
export class UploadMemoryFull extends TinyMLOpsError {
  constructor(
    what: string,
    held: number,
    limit: number,
    readonly retryAfterSeconds: number,
  ) {
    super(
      'UNAVAILABLE',
      `${what} ${mib(held)} MiB of uploads in memory (limit ${mib(limit)} MiB); retry in ${retryAfterSeconds} s`,
    );
  }
}

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

/** A device may hold this share of the budget, so a few stalled uploads of one device block no one else. */
const DEVICE_SHARE = 0.25;

/**
 * Bytes of package uploads one API process holds in memory at once. A small upload is read whole
 * into memory and waits there until its group is durable; a large one holds what the blob store's
 * streamed put buffers (one S3 part). When the blob store or the database is slow or away, after a
 * restart when every device sends its backlog at once, or when many uploads are cut off mid-body,
 * a count of requests bounds nothing; bytes do. An upload that does not fit is answered 503 before
 * its body is read, so the peak (and the heap and malloc pages a process keeps after a peak) stays
 * near the budget. One device may hold a quarter of it. An upload always fits when nothing is held
 * (by anyone, or by its device); capacity 0 turns the budget off.
 * @example
 * const release = budget.hold(deviceId, length); // throws UploadMemoryFull when over
 * try { … } finally { release(); }
 */
export class UploadMemoryBudget {
  private held = 0;
  private readonly byDevice = new Map<string, number>();

  constructor(
    readonly capacity: number,
    private readonly metrics?: { inUse: Gauge; refused: Counter },
    private readonly retryAfterSeconds = 5,
  ) {}

  /** Bytes held now. */
  get inUse(): number {
    return this.held;
  }

  /** Holds `bytes` for `deviceId` until the returned function is called (once; later calls do nothing). */
  hold(deviceId: string, bytes: number): () => void {
    if (this.capacity > 0 && bytes > 0) this.check(deviceId, bytes);
    this.add(deviceId, bytes);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.add(deviceId, -bytes);
    };
  }

  private check(deviceId: string, bytes: number): void {
    const mine = this.byDevice.get(deviceId) ?? 0;
    const deviceLimit = this.capacity * DEVICE_SHARE;
    if (mine > 0 && mine + bytes > deviceLimit) this.refuse('this device holds', mine, deviceLimit);
    if (this.held > 0 && this.held + bytes > this.capacity) this.refuse('the server holds', this.held, this.capacity);
  }

  private refuse(what: string, held: number, limit: number): never {
    this.metrics?.refused.inc();
    throw new UploadMemoryFull(what, held, limit, this.retryAfterSeconds);
  }

  private add(deviceId: string, bytes: number): void {
    if (bytes === 0) return;
    this.held += bytes;
    const mine = (this.byDevice.get(deviceId) ?? 0) + bytes;
    if (mine > 0) this.byDevice.set(deviceId, mine);
    else this.byDevice.delete(deviceId);
    this.metrics?.inUse.set(this.held);
  }
}
