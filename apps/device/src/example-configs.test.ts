import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadDeviceConfig } from './load-device-config.js';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../examples/device-configs');

describe('examples/device-configs', () => {
  it.each(readdirSync(dir).filter((f) => f.endsWith('.json')))('%s is a valid device config', async (file) => {
    const { config } = await loadDeviceConfig(path.join(dir, file));
    expect(config.schemaVersion).toBe(1);
  });
});
