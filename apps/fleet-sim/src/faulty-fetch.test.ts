import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultPlan, FaultyFetch } from './faulty-fetch.js';

describe('FaultyFetch', () => {
  const server = createServer((_req, res) => res.writeHead(200).end('ok'));
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('passes requests through on a clean link and fails them like a dead link when cut', async () => {
    const net = new FaultyFetch();
    expect((await net.fetch(`${url}/x`)).status).toBe(200);
    net.offline = true;
    await expect(net.fetch(`${url}/x`)).rejects.toThrow(/link down/);
    expect(net.counters).toMatchObject({ requests: 2, networkFailures: 1 });
  });

  it('follows the offline windows of its plan on the injected clock', async () => {
    let now = 0;
    const net = new FaultyFetch({ offline: [{ fromMs: 1000, toMs: 2000 }] }, 1, () => now);
    now = 1500;
    expect(net.linkDown).toBe(true);
    await expect(net.fetch(`${url}/x`)).rejects.toThrow();
    now = 2000;
    expect((await net.fetch(`${url}/x`)).status).toBe(200);
  });

  it('answers a seeded share of requests with 503 and counts package uploads by id', async () => {
    const statuses = async (seed: number) => {
      const net = new FaultyFetch({ errorRate: 0.5 }, seed);
      const out: number[] = [];
      for (let i = 0; i < 20; i++)
        out.push((await net.fetch(`${url}/device/v1/packages/pkg_${i % 3}`, { method: 'PUT' })).status);
      return { out, sent: net.counters.packagesSent.size };
    };
    const a = await statuses(4);
    expect(a.out).toEqual((await statuses(4)).out);
    expect(a.out).toContain(503);
    expect(a.out).toContain(200);
    expect(a.sent).toBe(3);
  });

  it('mixed gives consecutive devices different faults', () => {
    expect([0, 1, 2, 3].map((i) => Object.keys(faultPlan('mixed', i)))).toEqual([
      [],
      ['offline'],
      ['errorRate'],
      ['latencyMs'],
    ]);
  });
});
