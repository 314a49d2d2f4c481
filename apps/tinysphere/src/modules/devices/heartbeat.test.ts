import { TinyMLOpsError, type HeartbeatRequest } from '@tinymlops/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseEngines } from '../../testing/database-engines.js';
import { readJson, startTestServer, type TestServer } from '../../testing/test-server.js';
import { createHeartbeatRecorder } from './heartbeat.js';
import { heartbeatBody } from '../../testing/heartbeat-body.js';

const heartbeat = (uptimeSeconds: number, stateVersion = 1): HeartbeatRequest =>
  heartbeatBody({ stateVersion, uptimeSeconds, metrics: { framesProcessed: uptimeSeconds } });

describe.each(databaseEngines())('group-committed heartbeats on $name', (engine) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer(engine);
  });
  afterAll(() => s.stop());

  const row = (id: string) =>
    s.db.db
      .selectFrom('devices')
      .select(['uptime_seconds', 'state_version', 'metrics', 'last_seen_at'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();

  it('records concurrent heartbeats of many devices, each in its own row', async () => {
    const devices = await Promise.all(Array.from({ length: 40 }, (_, i) => s.enrol(`hw-many-${i}`)));
    const answers = await Promise.all(
      devices.map((d, i) =>
        s.call('POST', '/device/v1/heartbeat', { token: d.deviceToken, json: heartbeat(1000 + i) }),
      ),
    );
    expect(answers.map((r) => r.status)).toEqual(devices.map(() => 200));
    // Fewer statements than heartbeats: they were written in batches.
    const batches = await s.app.ctx.metrics.heartbeatBatchSize.get();
    const count = batches.values.find((v) => v.metricName === 'tinysphere_heartbeat_batch_size_count')?.value ?? 0;
    expect(count).toBeGreaterThan(0);
    expect(count).toBeLessThan(devices.length);
    for (const [i, r] of answers.entries()) expect(await readJson(r)).toMatchObject({ deviceId: devices[i]!.deviceId });
    for (const [i, d] of devices.entries()) {
      const r = await row(d.deviceId);
      expect({ uptime: r.uptime_seconds, frames: (r.metrics as { framesProcessed: number }).framesProcessed }).toEqual({
        uptime: 1000 + i,
        frames: 1000 + i,
      });
      expect(r.last_seen_at).not.toBeNull();
    }
  });

  it('answers a bad token among good ones with 401 and records the others', async () => {
    const devices = await Promise.all(Array.from({ length: 12 }, (_, i) => s.enrol(`hw-mixed-${i}`)));
    const forged = devices[5]!.deviceToken.slice(0, -3) + 'AAA';
    const tokens = devices.map((d, i) => (i === 5 ? forged : d.deviceToken));
    const answers = await Promise.all(
      tokens.map((token) => s.call('POST', '/device/v1/heartbeat', { token, json: heartbeat(77) })),
    );
    expect(answers.map((r) => r.status)).toEqual(tokens.map((_, i) => (i === 5 ? 401 : 200)));
    expect((await readJson(answers[5]!)).error.code).toBe('UNAUTHENTICATED');
    for (const [i, d] of devices.entries()) expect((await row(d.deviceId)).uptime_seconds).toBe(i === 5 ? null : 77);
    // The same through the recorder, where all of them surely share one batch.
    const recorder = createHeartbeatRecorder(s.app.ctx);
    const results = await Promise.allSettled(tokens.map((t) => recorder.record(`Bearer ${t}`, heartbeat(78))));
    expect(results.map((r) => r.status)).toEqual(tokens.map((_, i) => (i === 5 ? 'rejected' : 'fulfilled')));
    expect(results[5]).toMatchObject({ reason: { code: 'UNAUTHENTICATED' } });
    for (const [i, d] of devices.entries()) expect((await row(d.deviceId)).uptime_seconds).toBe(i === 5 ? null : 78);
  });

  it('leaves the row at the last of several heartbeats of one device sent at once', async () => {
    const d = await s.enrol('hw-last');
    const recorder = createHeartbeatRecorder(s.app.ctx, { maxInFlight: 2 });
    const auth = `Bearer ${d.deviceToken}`;
    const answers = await Promise.all([1, 2, 3, 4, 5].map((n) => recorder.record(auth, heartbeat(n, n))));
    expect(answers.every((a) => a.deviceId === d.deviceId)).toBe(true);
    const r = await row(d.deviceId);
    expect({ uptime: r.uptime_seconds, stateVersion: r.state_version }).toEqual({ uptime: 5, stateVersion: 5 });
  });

  it('a heartbeat that fails in the database fails alone', async () => {
    const [a, b] = [await s.enrol('hw-ok'), await s.enrol('hw-bad-value')];
    const recorder = createHeartbeatRecorder(s.app.ctx);
    // Called past the HTTP boundary, whose contract refuses 2^31 (below): the integer column fails.
    const results = await Promise.allSettled([
      recorder.record(`Bearer ${a.deviceToken}`, heartbeat(9)),
      recorder.record(`Bearer ${b.deviceToken}`, heartbeat(9, 2 ** 31)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    expect((await row(a.deviceId)).uptime_seconds).toBe(9);
  });

  it('answers 400 with the field for a state version beyond what the server stores', async () => {
    const d = await s.enrol('hw-big-version');
    const r = await s.call('POST', '/device/v1/heartbeat', { token: d.deviceToken, json: heartbeat(1, 2 ** 31) });
    const body = (await r.json()) as { error: { code: string; details?: { path: string }[] } };
    expect({ status: r.status, code: body.error.code, path: body.error.details?.[0]?.path }).toEqual({
      status: 400,
      code: 'VALIDATION_FAILED',
      path: 'stateVersion',
    });
  });

  it('refuses a missing or malformed token before touching the database', async () => {
    const recorder = createHeartbeatRecorder(s.app.ctx);
    await expect(recorder.record(undefined, heartbeat(1))).rejects.toThrow(TinyMLOpsError);
    await expect(recorder.record('Bearer tdv_x', heartbeat(1))).rejects.toThrow(TinyMLOpsError);
  });
});

describe('heartbeat request logs', () => {
  it('at info: other routes log each request, heartbeats do not', async () => {
    const lines: string[] = [];
    const stream = { write: (line: string) => void lines.push(line) };
    const s = await startTestServer(databaseEngines()[0]!, { logger: { level: 'info', stream } });
    try {
      const d = await s.enrol('hw-logs');
      const r = await s.call('POST', '/device/v1/heartbeat', { token: d.deviceToken, json: heartbeat(1) });
      expect(r.status).toBe(200);
      expect(lines.some((l) => l.includes('/device/v1/enrol'))).toBe(true);
      expect(lines.some((l) => l.includes('/device/v1/heartbeat'))).toBe(false);
    } finally {
      await s.stop();
    }
  });
});
