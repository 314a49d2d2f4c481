import { describe, expect, it } from 'vitest';
import { DeviceConfig, isPlainHttpToRemote } from './device-config.js';

const config = (server: Record<string, unknown>) => ({
  schemaVersion: 1,
  model: { bundle: './bundle' },
  source: { type: 'directory', path: './frames' },
  server,
});

describe('a device speaks plain HTTP only to its own machine, unless told otherwise', () => {
  it.each([
    ['http://127.0.0.1:8080', false],
    ['http://127.1.2.3', false],
    ['http://localhost:8080', false],
    ['http://api.localhost', false],
    ['http://[::1]:8080', false],
    ['https://tinysphere.example.com', false],
    ['http://tinysphere.local:8080', true],
    ['http://10.0.0.5', true],
    ['http://127.0.0.1.evil.example', true],
  ])('%s → plain HTTP to another machine: %s', (url, remote) => {
    expect(isPlainHttpToRemote(url)).toBe(remote);
  });

  it('refuses such a config with the reason and the way out, and accepts it with allowInsecureHttp', () => {
    const refused = DeviceConfig.safeParse(config({ url: 'http://10.0.0.5:8080' }));
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]).toMatchObject({ path: ['server', 'url'] });
    expect(refused.error?.issues[0]?.message).toMatch(/use https:\/\/, or set server\.allowInsecureHttp: true/);
    const allowed = DeviceConfig.parse(config({ url: 'http://10.0.0.5:8080', allowInsecureHttp: true }));
    expect(allowed.server?.allowInsecureHttp).toBe(true);
    expect(DeviceConfig.parse(config({ url: 'https://10.0.0.5' })).server?.allowInsecureHttp).toBe(false);
  });
});
