import { ErrorEnvelope } from '@tinymlops/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseEngines } from '../../testing/database-engines.js';
import { readJson, startTestServer, type TestServer } from '../../testing/test-server.js';
import { DeviceRateLimit } from './device-rate-limit.js';
import { heartbeatBody } from '../../testing/heartbeat-body.js';

describe('DeviceRateLimit', () => {
  it('allows a burst, then one request per refill interval, per device', () => {
    const limit = new DeviceRateLimit(60); // 1 a second, bursts of 10
    const t0 = 1_000_000;
    for (let i = 0; i < 10; i++) expect(limit.take('a', t0)).toBe(0);
    expect(limit.wait('a', t0)).toBe(1);
    expect(limit.take('a', t0)).toBe(1);
    expect(limit.take('b', t0)).toBe(0); // another device has its own bucket
    expect(limit.take('a', t0 + 500)).toBe(1); // half a token is not one
    expect(limit.take('a', t0 + 1000)).toBe(0);
    expect(limit.take('a', t0 + 1000)).toBe(1);
    expect(limit.wait('a', t0 + 60_000)).toBe(0); // refilled, and capped at the burst:
    for (let i = 0; i < 10; i++) expect(limit.take('a', t0 + 60_000)).toBe(0);
    expect(limit.take('a', t0 + 60_000)).toBe(1);
  });

  it('waits longer when the rate is lower, and 0 turns it off', () => {
    const slow = new DeviceRateLimit(6); // one every 10 s
    for (let i = 0; i < 10; i++) slow.take('a', 0);
    expect(slow.wait('a', 0)).toBe(10);
    const off = new DeviceRateLimit(0);
    for (let i = 0; i < 1000; i++) expect(off.take('a', 0)).toBe(0);
  });
});

describe.each(databaseEngines())('device rate limit over HTTP on $name', (engine) => {
  let s: TestServer;
  beforeAll(async () => {
    // A stopped clock: the buckets refill only when the test says so, however slow the machine.
    const now = new Date('2026-11-26T10:00:00.000Z');
    s = await startTestServer(engine, { config: { deviceRequestsPerMinute: 60 }, now: () => now });
  });
  afterAll(() => s.stop());

  const heartbeat = (token: string) =>
    s.call('POST', '/device/v1/heartbeat', {
      token,
      json: heartbeatBody({ model: null, stateVersion: 0, uptimeSeconds: 1, metrics: { framesProcessed: 1 } }),
    });

  it('a device over its limit gets 429 RATE_LIMITED with Retry-After; other devices do not', async () => {
    const busy = await s.enrol('hw-rate-busy');
    const calm = await s.enrol('hw-rate-calm');
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++)
      statuses.push((await s.call('GET', '/device/v1/feedback', { token: busy.deviceToken })).status);
    expect(statuses).toEqual(Array(10).fill(200));
    const limited = await s.call('GET', '/device/v1/feedback', { token: busy.deviceToken });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const body = ErrorEnvelope.parse(await readJson(limited));
    expect(body.error.code).toBe('RATE_LIMITED');
    expect(body.error.message).toMatch(/over its limit of 60 requests a minute; retry in \d+ s/);
    expect((await heartbeat(busy.deviceToken)).status).toBe(429); // heartbeats count too
    expect((await heartbeat(calm.deviceToken)).status).toBe(200);
  });

  it("requests without the device's token use none of its allowance", async () => {
    const d = await s.enrol('hw-rate-victim');
    const forged = `${d.deviceToken.slice(0, -4)}AAAA`;
    for (let i = 0; i < 20; i++) {
      expect((await heartbeat(forged)).status).toBe(401);
      expect((await s.call('GET', '/device/v1/feedback', { token: forged })).status).toBe(401);
    }
    expect((await heartbeat(d.deviceToken)).status).toBe(200);
    expect((await s.call('GET', '/device/v1/feedback', { token: d.deviceToken })).status).toBe(200);
  });
});
