import { describe, expect, it } from 'vitest';
import { Backoff, parseRetryAfter } from './backoff.js';

describe('Backoff', () => {
  it('doubles the delay cap with each failure up to maxMs', () => {
    const b = new Backoff({ baseMs: 100, maxMs: 1000, random: () => 0.999999, now: () => 0 });
    expect([1, 2, 3, 4, 5, 6].map(() => b.failed())).toEqual([99, 199, 399, 799, 999, 999]);
    expect(b.attempts).toBe(6);
  });

  it('spreads delays uniformly below the cap (full jitter)', () => {
    const b = new Backoff({ baseMs: 1000, random: () => 0.25, now: () => 0 });
    expect(b.failed()).toBe(250);
    expect(b.failed()).toBe(500);
  });

  it('is not ready until the delay has passed on the injected clock, and resets on success', () => {
    let now = 0;
    const b = new Backoff({ baseMs: 1000, random: () => 0.5, now: () => now });
    expect(b.ready()).toBe(true);
    b.failed();
    expect(b.ready()).toBe(false);
    now = 499;
    expect(b.remainingMs).toBe(1);
    now = 500;
    expect(b.ready()).toBe(true);
    b.failed();
    b.succeeded();
    expect(b.ready()).toBe(true);
    expect(b.failed()).toBe(500);
  });

  it('waits at least what Retry-After asks, within maxRetryAfterMs', () => {
    const b = new Backoff({ baseMs: 100, random: () => 0, now: () => 0, maxRetryAfterMs: 10_000 });
    expect(b.failed(5_000)).toBe(5_000);
    expect(b.failed(99_000)).toBe(10_000);
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates', () => {
    expect(parseRetryAfter('7', 0)).toBe(7000);
    expect(parseRetryAfter('Thu, 26 Nov 2026 10:00:05 GMT', Date.parse('2026-11-26T10:00:00Z'))).toBe(5000);
    expect(parseRetryAfter(null, 0)).toBeUndefined();
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
  });
});
