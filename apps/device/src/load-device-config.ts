import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DeviceConfig, parseOrThrow, TinyMLOpsError } from '@tinymlops/contracts';

/** A validated device config and the folder its relative paths are resolved against. */
export interface LoadedDeviceConfig {
  config: DeviceConfig;
  baseDir: string;
  file: string;
}

/**
 * Reads and validates `device.json`. Errors name the file and every bad key, e.g.
 * `invalid device config /etc/tinylcm/device.json: classifier.k: Too small: expected number to be >=1`.
 * @example
 * const { config, baseDir } = await loadDeviceConfig('device.json');
 */
export async function loadDeviceConfig(file: string): Promise<LoadedDeviceConfig> {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (cause) {
    throw new TinyMLOpsError('NOT_FOUND', `cannot read device config ${abs}: ${(cause as Error).message}`, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new TinyMLOpsError('MALFORMED_JSON', `device config ${abs} is not valid JSON: ${(cause as Error).message}`, {
      cause,
    });
  }
  return { config: parseOrThrow(DeviceConfig, json, `device config ${abs}`), baseDir: path.dirname(abs), file: abs };
}
