import { ErrorEnvelope } from '@tinymlops/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseEngines } from '../testing/database-engines.js';
import { readJson, startTestServer, type Json, type TestServer } from '../testing/test-server.js';

/** Fills route parameters with plausible ids so the request reaches auth and validation. */
function concrete(path: string): string {
  return path.replace(/\{(\w+)\}/g, (_m, name: string) =>
    name === 'version'
      ? '1.0.0'
      : name === 'part'
        ? 'image'
        : name === 'alias'
          ? 'production'
          : name === 'modelId'
            ? 'some-model'
            : 'abcdefgh1',
  );
}

describe.each(databaseEngines().slice(0, 1))('bad input on every documented route ($name)', (engine) => {
  let s: TestServer;
  let device: string;
  let routes: { method: string; path: string; json: boolean }[];
  beforeAll(async () => {
    s = await startTestServer(engine);
    device = (await s.enrol('hw-every-route')).deviceToken;
    const doc: Json = await readJson(s.call('GET', '/docs/json'));
    routes = Object.entries(doc.paths as Record<string, Record<string, Json>>).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({
        method: method.toUpperCase(),
        path: concrete(path),
        json: Boolean(op.requestBody?.content?.['application/json']),
      })),
    );
  });
  afterAll(() => s.stop());

  const tokenFor = (path: string) => (path.startsWith('/device/') ? device : s.adminToken);

  it('documents the device and people APIs', () => {
    expect(routes.length).toBeGreaterThan(25);
  });

  it('answers every route without credentials with a 401 envelope (enrolment excepted)', async () => {
    for (const r of routes.filter((x) => x.path !== '/device/v1/enrol')) {
      const res = await s.call(r.method, r.path, r.json ? { json: {} } : {});
      const body = await readJson(res);
      expect([r.method, r.path, res.status, body.error?.code]).toEqual([r.method, r.path, 401, 'UNAUTHENTICATED']);
      expect(ErrorEnvelope.safeParse(body).success).toBe(true);
    }
  });

  it('answers malformed JSON on every JSON route with 400 MALFORMED_JSON', async () => {
    for (const r of routes.filter((x) => x.json)) {
      const res = await s.call(r.method, r.path, {
        token: tokenFor(r.path),
        body: '{"oops":',
        headers: { 'content-type': 'application/json' },
      });
      expect([r.method, r.path, res.status, (await readJson(res)).error?.code]).toEqual([
        r.method,
        r.path,
        400,
        'MALFORMED_JSON',
      ]);
    }
  });

  it('answers unknown fields on every JSON route with 400 VALIDATION_FAILED', async () => {
    for (const r of routes.filter((x) => x.json)) {
      const res = await s.call(r.method, r.path, { token: tokenFor(r.path), json: { surelyNotAField: 1 } });
      expect([r.method, r.path, res.status, (await readJson(res)).error?.code]).toEqual([
        r.method,
        r.path,
        400,
        'VALIDATION_FAILED',
      ]);
    }
  });

  it('answers a wrong content type on every JSON route with 415', async () => {
    for (const r of routes.filter((x) => x.json)) {
      const res = await s.call(r.method, r.path, {
        token: tokenFor(r.path),
        body: 'a=b',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect([r.method, r.path, res.status]).toEqual([r.method, r.path, 415]);
    }
  });
});
