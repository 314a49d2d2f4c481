import { TinyMLOpsError } from '@tinymlops/contracts';

/** Per-device quotas; 0 turns one off. */
export interface DeviceQuotas {
  /** Raw archive bytes the server keeps for one device (until retention prunes them). */
  storedBytes: number;
  /** Archive bytes of one device waiting for ingestion (queued or processing). */
  pendingBytes: number;
  /** Packages accepted from one device per UTC day. */
  packagesPerDay: number;
}

/** A device's counters as the token check read them (table device_usage). */
export interface DeviceUsage {
  storedBytes: number;
  pendingBytes: number;
  /** The UTC day `dayPackages` counts (YYYY-MM-DD), or null before the first package. */
  day: string | null;
  dayPackages: number;
}

/**
 * An upload refused by a quota: 429 QUOTA_EXCEEDED with `Retry-After` (the error handler turns
 * `retryAfterSeconds` into the header), or 413 for a package larger than the whole quota.
 * `quota` names which (stored, pending, daily, size) for the metric.
 */
export class QuotaRefusal extends TinyMLOpsError {
  readonly retryAfterSeconds: number | undefined;
  constructor(
    readonly quota: 'stored' | 'pending' | 'daily' | 'size',
    message: string,
    retryAfterSeconds?: number,
  ) {
    const retry = retryAfterSeconds === undefined ? undefined : Math.max(1, Math.ceil(retryAfterSeconds));
    super(
      quota === 'size' ? 'PAYLOAD_TOO_LARGE' : 'QUOTA_EXCEEDED',
      retry ? `${message}; retry in ${retry} s` : message,
    );
    this.retryAfterSeconds = retry;
  }
}

/** The UTC day of `now`, as the usage table stores it. */
export const utcDay = (now: Date) => now.toISOString().slice(0, 10);

/**
 * Admits package uploads against a device's quotas. The counters come with the device token
 * check (no query of its own); uploads of the same device still in flight in this process are
 * added, so a device cannot slip past its quota by sending many at once (across N API processes,
 * by at most N times its uploads in flight). A package larger than the whole storage quota can
 * never fit: that is a 413 (the device rejects it for good); everything else is a 429 the device
 * keeps its data for and retries after.
 * @example
 * const release = quotas.admit(deviceId, usage, size, now); try { … } finally { release(); }
 */
export class QuotaGate {
  private readonly inFlight = new Map<string, { bytes: number; packages: number }>();

  constructor(
    private readonly quotas: DeviceQuotas,
    /** Retry-After while over the storage quota: until retention has had a chance to free space. */
    private readonly storedRetrySeconds: number,
  ) {}

  /** Throws when `bytes` more (or one more package) would break a quota; otherwise holds them until released. */
  admit(deviceId: string, usage: DeviceUsage, bytes: number, now: Date): () => void {
    const q = this.quotas;
    const held = this.inFlight.get(deviceId) ?? { bytes: 0, packages: 0 };
    if (q.storedBytes > 0 && bytes > q.storedBytes)
      throw new QuotaRefusal(
        'size',
        `package of ${bytes} bytes exceeds the device's whole storage quota of ${q.storedBytes} bytes`,
      );
    const today = utcDay(now);
    const dayPackages = (usage.day === today ? usage.dayPackages : 0) + held.packages;
    if (q.packagesPerDay > 0 && dayPackages + 1 > q.packagesPerDay)
      refuse(
        'daily',
        `device ${deviceId} has sent its ${q.packagesPerDay} packages for today (UTC)`,
        secondsToMidnight(now),
      );
    if (q.pendingBytes > 0 && usage.pendingBytes + held.bytes + bytes > q.pendingBytes)
      refuse(
        'pending',
        `device ${deviceId} has ${usage.pendingBytes + held.bytes} bytes waiting for ingestion (quota ${q.pendingBytes})`,
        60,
      );
    if (q.storedBytes > 0 && usage.storedBytes + held.bytes + bytes > q.storedBytes)
      refuse(
        'stored',
        `device ${deviceId} has ${usage.storedBytes + held.bytes} bytes stored (quota ${q.storedBytes})`,
        this.storedRetrySeconds,
      );
    this.inFlight.set(deviceId, { bytes: held.bytes + bytes, packages: held.packages + 1 });
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const h = this.inFlight.get(deviceId);
      if (!h) return;
      if (h.packages <= 1) this.inFlight.delete(deviceId);
      else this.inFlight.set(deviceId, { bytes: h.bytes - bytes, packages: h.packages - 1 });
    };
  }
}

function refuse(quota: QuotaRefusal['quota'], message: string, retryAfterSeconds: number): never {
  throw new QuotaRefusal(quota, message, retryAfterSeconds);
}

function secondsToMidnight(now: Date): number {
  const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return (next - now.getTime()) / 1000;
}
