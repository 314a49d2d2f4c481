import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { loadCredentials, readSyncStatus } from '@tinymlops/tinylcm';
import { loadDeviceConfig } from './load-device-config.js';

/** What `tinylcm-device status` shows; read from files only, so it is safe while the device runs. */
export interface DeviceStatusView {
  dataDir: string;
  deviceId: string | null;
  server: string | null;
  model: string | null;
  outboxFiles: number;
  outboxBytes: number;
  lastSync: string | null;
  lastSuccess: string | null;
  lastError: string | null;
  droppedPackages: number;
}

/**
 * Reads a device's state from its data folder.
 * @example
 * const s = await readDeviceStatus('device.json'); console.log(s.model, s.outboxBytes);
 */
export async function readDeviceStatus(configFile: string): Promise<DeviceStatusView> {
  const { config, baseDir } = await loadDeviceConfig(configFile);
  const dataDir = path.resolve(baseDir, config.dataDir);
  const creds = await loadCredentials(path.join(dataDir, 'credentials.json')).catch(() => undefined);
  const pointer = await readFile(path.join(dataDir, 'models', 'current.json'), 'utf8').then((t) => JSON.parse(t) as { current: string }).catch(() => null); // prettier-ignore
  const outbox = await outboxSize(path.join(dataDir, 'outbox'));
  const sync = await readSyncStatus(path.join(dataDir, 'sync'));
  return {
    dataDir,
    deviceId: creds?.deviceId ?? null,
    server: config.server?.url ?? null,
    model: pointer?.current ?? null,
    outboxFiles: outbox.files,
    outboxBytes: outbox.bytes,
    lastSync: sync?.lastRoundAt ?? null,
    lastSuccess: sync?.lastSuccessAt ?? null,
    lastError: sync?.lastError ?? null,
    droppedPackages: sync?.outbox.droppedPackages ?? 0,
  };
}

async function outboxSize(dir: string): Promise<{ files: number; bytes: number }> {
  const names = await readdir(dir).catch(() => [] as string[]);
  let files = 0;
  let bytes = 0;
  for (const n of names.filter((n) => n.endsWith('.tar.gz'))) {
    files++;
    bytes += (await stat(path.join(dir, n))).size;
  }
  return { files, bytes };
}
