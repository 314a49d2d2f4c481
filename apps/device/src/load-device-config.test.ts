import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDeviceConfig } from './load-device-config.js';

async function configFile(text: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'device-config-'));
  const file = path.join(dir, 'device.json');
  await writeFile(file, text);
  return file;
}

describe('loadDeviceConfig', () => {
  it('fills defaults and resolves the base folder', async () => {
    const source = { type: 'directory', path: 'frames' };
    const file = await configFile(JSON.stringify({ schemaVersion: 1, model: { bundle: 'm' }, source }));
    const { config, baseDir } = await loadDeviceConfig(file);
    expect(baseDir).toBe(path.dirname(file));
    expect(config.mode).toBe('monitoring-only');
    expect(config.classifier.capacity).toBe(1000);
    expect(config.classifier.k).toBeUndefined(); // the bundle's KNN state decides
    expect(config.source).toEqual({ type: 'directory', path: 'frames', loop: false });
  });

  it('names every bad key and the file', async () => {
    const bad = { schemaVersion: 1, modle: {}, source: { type: 'webcam' }, classifier: { k: 0 } };
    const file = await configFile(JSON.stringify(bad));
    const err = (await loadDeviceConfig(file).catch((e: unknown) => e)) as Error & { code?: string };
    expect(err).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(err.message).toContain(file);
    expect(err.message).toMatch(/model:/);
    expect(err.message).toMatch(/source\.type/);
    expect(err.message).toMatch(/"modle"/);
  });

  it('says when the file is not JSON or missing', async () => {
    await expect(loadDeviceConfig(await configFile('{ nope'))).rejects.toMatchObject({ code: 'MALFORMED_JSON' });
    await expect(loadDeviceConfig('/nonexistent/device.json')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
