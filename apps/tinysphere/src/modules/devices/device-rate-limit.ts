import { TinyMLOpsError } from '@tinymlops/contracts';

/** 429 RATE_LIMITED; the error handler turns `retryAfterSeconds` into a `Retry-After` header. */
export class RateLimitedError extends TinyMLOpsError {
  constructor(
    who: string,
    readonly retryAfterSeconds: number,
    perMinute: number,
  ) {
    super(
      'RATE_LIMITED',
      `${who} is over its limit of ${perMinute} requests a minute; retry in ${retryAfterSeconds} s`,
    );
  }
}

/** Options of {@link DeviceRateLimit}. */
export interface RateLimitOptions {
  /** Most requests at once after a quiet spell (default a tenth of a minute's allowance, at least 10). */
  burst?: number;
  /** How a key is named in the error message (default `device`). */
  subject?: string;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Takes between sweeps of idle buckets, so the map holds active devices, not every device ever seen. */
const SWEEP_EVERY = 4096;

/**
 * A token bucket per device: `perMinute` requests a minute on average, bursts of up to a tenth
 * of that (at least 10), so a runaway device cannot take the server from the rest of the fleet
 * while a device flushing its outbox after an outage is only slowed down (it honours the
 * `Retry-After` it gets). Per process: N API processes allow N times the rate. 0 turns it off.
 * @example
 * const limit = new DeviceRateLimit(600);
 * const wait = limit.take('dev_abc12345', Date.now()); // 0, or seconds to wait
 */
export class DeviceRateLimit {
  private readonly buckets = new Map<string, Bucket>();
  private readonly capacity: number;
  private readonly perMs: number;
  private takes = 0;

  constructor(
    readonly perMinute: number,
    private readonly options: RateLimitOptions = {},
  ) {
    this.capacity = options.burst ?? Math.max(10, perMinute / 10);
    this.perMs = perMinute / 60_000;
  }

  /** Seconds `deviceId` must wait before its next request is allowed (0: it is allowed now), without using a token. */
  wait(deviceId: string, nowMs: number): number {
    return this.perMinute <= 0 ? 0 : this.secondsToOne(this.tokensOf(deviceId, nowMs));
  }

  /** Throws RateLimitedError unless `deviceId` may make a request now (uses no token). */
  check(deviceId: string, nowMs: number): void {
    const wait = this.wait(deviceId, nowMs);
    if (wait > 0) throw this.limited(deviceId, wait);
  }

  /** Uses a token, or throws RateLimitedError when there is none. */
  consume(deviceId: string, nowMs: number): void {
    const wait = this.take(deviceId, nowMs);
    if (wait > 0) throw this.limited(deviceId, wait);
  }

  /** Uses one token when one is there; answers like `wait`. */
  take(deviceId: string, nowMs: number): number {
    if (this.perMinute <= 0) return 0;
    if (++this.takes % SWEEP_EVERY === 0) this.sweep(nowMs);
    const tokens = this.tokensOf(deviceId, nowMs);
    if (tokens >= 1) this.buckets.set(deviceId, { tokens: tokens - 1, at: nowMs });
    return this.secondsToOne(tokens);
  }

  private limited(key: string, wait: number): RateLimitedError {
    return new RateLimitedError(`${this.options.subject ?? 'device'} ${key}`, wait, this.perMinute);
  }

  /** Whole seconds until a bucket holding `tokens` holds one (0 when it does). */
  private secondsToOne(tokens: number): number {
    return tokens >= 1 ? 0 : Math.ceil((1 - tokens) / this.perMs / 1000);
  }

  private tokensOf(deviceId: string, nowMs: number): number {
    const b = this.buckets.get(deviceId);
    return b ? Math.min(this.capacity, b.tokens + (nowMs - b.at) * this.perMs) : this.capacity;
  }

  /** Forgets buckets that have refilled: they would start full anyway. */
  private sweep(nowMs: number): void {
    for (const id of this.buckets.keys()) if (this.tokensOf(id, nowMs) >= this.capacity) this.buckets.delete(id);
  }
}
