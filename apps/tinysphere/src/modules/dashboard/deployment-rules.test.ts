import { AssignmentRuleList, ReviewClassList, TargetMatch } from '@tinymlops/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle } from '../../testing/bundle-archive.js';
import { databaseEngines } from '../../testing/database-engines.js';
import { readJson, startTestServer, type TestServer } from '../../testing/test-server.js';

describe.each(databaseEngines())('assignment rules and target previews on $name', (engine) => {
  let s: TestServer;
  const get = async (route: string) => readJson(await s.call('GET', route, { token: s.viewerToken }));
  const deploy = (target: unknown) =>
    s.call('POST', '/api/v1/deployments', {
      token: s.engineerToken,
      json: { target, modelId: 'rules-model', version: '1.0.0' },
    });

  beforeAll(async () => {
    s = await startTestServer(engine);
    await s.enrol('hw-rules-a', { name: 'door-a', tags: ['door'] });
    const b = await s.enrol('hw-rules-b', { name: 'door-b', tags: ['door'] });
    await s.call('PATCH', `/api/v1/devices/${b.deviceId}`, { token: s.engineerToken, json: { group: 'berlin' } });
    const { tgz } = await buildBundle('rules-model', '1.0.0');
    const up = await s.call('POST', '/api/v1/models/bundles', {
      token: s.engineerToken,
      body: tgz,
      headers: { 'content-type': 'application/gzip' },
    });
    expect(up.status).toBe(201);
  });
  afterAll(() => s.stop());

  it('previews how many devices a target reaches, zero for a typo', async () => {
    const door = TargetMatch.parse(await get('/api/v1/deployments/target-match?kind=tag&target=door'));
    expect(door).toMatchObject({ matchedDevices: 2, sample: ['door-a', 'door-b'] });
    const typo = TargetMatch.parse(await get('/api/v1/deployments/target-match?kind=group&target=berlni'));
    expect(typo).toMatchObject({ matchedDevices: 0, sample: [] });
  });

  it('lists rules with their matches and removes one', async () => {
    expect((await deploy({ kind: 'tag', tag: 'door' })).status).toBe(201);
    expect((await deploy({ kind: 'group', group: 'berlni' })).status).toBe(201);
    const rules = AssignmentRuleList.parse(await get('/api/v1/deployments/rules'));
    expect(rules.items.map((r) => [r.target, r.matchedDevices])).toEqual([
      [{ kind: 'group', group: 'berlni' }, 0],
      [{ kind: 'tag', tag: 'door' }, 2],
    ]);
    const route = '/api/v1/deployments/rules/group/berlni';
    expect((await s.call('DELETE', route, { token: s.viewerToken })).status).toBe(403);
    expect((await s.call('DELETE', route, { token: s.engineerToken })).status).toBe(204);
    expect((await s.call('DELETE', route, { token: s.engineerToken })).status).toBe(404);
    const left = AssignmentRuleList.parse(await get('/api/v1/deployments/rules'));
    expect(left.items.map((r) => r.target)).toEqual([{ kind: 'tag', tag: 'door' }]);
  });

  it("offers the model's labels as classes before anyone labelled a sample", async () => {
    const classes = ReviewClassList.parse(await get('/api/v1/drift/classes'));
    expect(classes.items.length).toBeGreaterThan(1);
    expect(classes.items.every((c) => c.sources.join() === 'model' && c.validatedSamples === 0)).toBe(true);
  });

  it('documents the bundle upload body in OpenAPI', async () => {
    const doc = await readJson(await s.call('GET', '/docs/json'));
    const body = doc.paths['/api/v1/models/bundles'].post.requestBody;
    expect(Object.keys(body.content)).toEqual(['application/gzip', 'application/x-gzip']);
    expect(body.content['application/gzip'].schema).toMatchObject({ type: 'string', format: 'binary' });
  });
});
