import { TinyMLOpsError } from '@tinymlops/contracts';

/** Options of {@link Backoff}. */
export interface BackoffOptions {
  /** First delay cap in ms (default 1 000). */
  baseMs?: number;
  /** Largest delay cap in ms (default 300 000 = 5 min). */
  maxMs?: number;
  /** Growth of the cap per failure (default 2). */
  factor?: number;
  /** Longest `Retry-After` honoured in ms (default 3 600 000), so a bad header cannot park a device for days. */
  maxRetryAfterMs?: number;
  /** Uniform random in [0, 1); inject a seeded one in tests. */
  random?: () => number;
  /** Clock in ms; inject a fake one in tests. */
  now?: () => number;
}

/**
 * Exponential backoff with full jitter (delay = random × min(max, base × factor^failures)), as AWS
 * recommends for many clients hitting one server: it spreads a fleet's retries after an outage.
 * A server's `Retry-After` is a floor on the delay.
 * @example
 * const backoff = new Backoff({ baseMs: 1000, maxMs: 60_000 });
 * if (backoff.ready()) {
 *   try { await send(); backoff.succeeded(); } catch { backoff.failed(); }
 * }
 */
export class Backoff {
  private failures = 0;
  private notBefore = 0;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly factor: number;
  private readonly maxRetryAfterMs: number;
  private readonly random: () => number;
  private readonly now: () => number;

  constructor(options: BackoffOptions = {}) {
    this.baseMs = options.baseMs ?? 1_000;
    this.maxMs = options.maxMs ?? 300_000;
    this.factor = options.factor ?? 2;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 3_600_000;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    if (!(this.baseMs > 0) || !(this.maxMs >= this.baseMs) || !(this.factor >= 1))
      throw new TinyMLOpsError('INVALID_OPTION', 'Backoff: need baseMs > 0, maxMs >= baseMs and factor >= 1');
  }

  /** Consecutive failures since the last success. */
  get attempts(): number {
    return this.failures;
  }

  /** Ms to wait before the next attempt (0 when an attempt may run now). */
  get remainingMs(): number {
    return Math.max(0, this.notBefore - this.now());
  }

  /** Whether the next attempt may run now. */
  ready(): boolean {
    return this.remainingMs === 0;
  }

  /** Records a failure and returns the delay (ms) before the next attempt. */
  failed(retryAfterMs?: number): number {
    const cap = Math.min(this.maxMs, this.baseMs * this.factor ** this.failures);
    this.failures += 1;
    let delay = Math.floor(this.random() * cap);
    if (retryAfterMs !== undefined) delay = Math.max(delay, Math.min(retryAfterMs, this.maxRetryAfterMs));
    this.notBefore = this.now() + delay;
    return delay;
  }

  /** Records a success: the next failure starts from the base delay again. */
  succeeded(): void {
    this.failures = 0;
    this.notBefore = 0;
  }
}

/**
 * Parses an HTTP `Retry-After` header (delta-seconds or an HTTP date) into ms from `nowMs`;
 * `undefined` when absent or unreadable.
 * @example
 * parseRetryAfter('3', Date.now()); // 3000
 */
export function parseRetryAfter(header: string | null, nowMs: number): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
