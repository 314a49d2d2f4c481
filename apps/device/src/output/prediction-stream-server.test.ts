import { request } from 'node:http';
import { DeviceConfig, LocalPrediction } from '@tinymlops/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { PredictionStreamServer } from './prediction-stream-server.js';

const servers: PredictionStreamServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function start(o: Partial<Parameters<typeof PredictionStreamServer.start>[0]> = {}) {
  const s = await PredictionStreamServer.start({ host: '127.0.0.1', port: 0, ...o });
  servers.push(s);
  return s;
}

const prediction = (frameIndex: number, active = false): LocalPrediction => ({
  schemaVersion: 1,
  type: 'prediction',
  at: '2026-11-26T10:00:00.000Z',
  frameIndex,
  model: { modelId: 'fashion-mnv2', version: '1.0.0' },
  label: 'coat',
  confidence: 0.9,
  meanDistance: 10,
  latencyMs: 40,
  drift: { active, episodeId: active ? 'ep_00000001' : null, phase: null },
});

/** Reads `n` server-sent events from an open stream. */
async function events(body: ReadableStream<Uint8Array>, n: number): Promise<{ event: string; data: unknown }[]> {
  const out: { event: string; data: unknown }[] = [];
  let buffer = '';
  for await (const chunk of body.pipeThrough(new TextDecoderStream())) {
    buffer += chunk;
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const lines = buffer.slice(0, end).split('\n');
      const fields = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)]));
      buffer = buffer.slice(end + 2);
      if (fields['event']) out.push({ event: fields['event'], data: JSON.parse(fields['data'] ?? 'null') });
      if (out.length === n) return out;
    }
  }
  return out;
}

/** A GET with an explicit Host header (fetch does not let a caller set one). */
function getWithHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('PredictionStreamServer', () => {
  it('streams every published prediction to a client on loopback as server-sent events', async () => {
    const s = await start();
    const res = await fetch(s.url);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const received = events(res.body!, 3);
    await expect.poll(() => s.clients).toBe(1);
    [1, 2, 3].forEach((i) => s.publish(prediction(i, i === 3)));
    const got = await received;
    expect(got.map((e) => e.event)).toEqual(['prediction', 'prediction', 'prediction']);
    expect(got.map((e) => LocalPrediction.parse(e.data).frameIndex)).toEqual([1, 2, 3]);
    expect(LocalPrediction.parse(got[2]!.data).drift).toEqual({ active: true, episodeId: 'ep_00000001', phase: null });
  });

  it('answers the latest prediction and its health as JSON', async () => {
    const s = await start();
    const latest = `${s.url}/latest`;
    expect((await fetch(latest)).status).toBe(204);
    s.publish(prediction(7));
    expect(LocalPrediction.parse(await (await fetch(latest)).json()).frameIndex).toBe(7);
    const health = await (await fetch(s.url.replace('/predictions', '/health'))).json();
    expect(health).toMatchObject({ status: 'ok', predictions: 1, clients: 0 });
    expect((await fetch(s.url.replace('/predictions', '/nope'))).status).toBe(404);
  });

  it('refuses requests that name another host (DNS rebinding) and clients beyond maxClients', async () => {
    const s = await start({ maxClients: 1 });
    expect(await getWithHost(s.url, 'attacker.example:8765')).toBe(403);
    expect(await getWithHost(`${s.url}/latest`, 'localhost:8765')).toBe(204);
    const first = await fetch(s.url);
    const second = await fetch(s.url);
    expect(second.status).toBe(503);
    expect(await second.json()).toMatchObject({ error: { code: 'UNAVAILABLE' } });
    await first.body?.cancel();
  });

  it('binds to loopback only, unless allowRemote says otherwise', async () => {
    await expect(start({ host: '0.0.0.0' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringMatching(/output\.http\.allowRemote/),
    });
    const open = await start({ host: '0.0.0.0', allowRemote: true });
    expect(open.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+\/predictions$/);
    const base = { schemaVersion: 1, model: { bundle: 'm' }, source: { type: 'directory', path: 'f' } };
    const refused = DeviceConfig.safeParse({ ...base, output: { http: { host: '192.168.1.20' } } });
    expect(refused.error?.issues.map((i) => i.path.join('.'))).toEqual(['output.http.host']);
    const allowed = DeviceConfig.parse({ ...base, output: { http: { host: '::', allowRemote: true } } });
    expect(allowed.output.http).toMatchObject({ host: '::', port: 8765, allowRemote: true });
  });
});
