import { DeviceDataDir, readDeviceDiskStatus } from '@tinymlops/tinylcm';
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
 * Reads a device's state from its data folder (the layout `DeviceDataDir` defines for the device too).
 * @example
 * const s = await readDeviceStatus('device.json'); console.log(s.model, s.outboxBytes);
 */
export async function readDeviceStatus(configFile: string): Promise<DeviceStatusView> {
  const { config, baseDir } = await loadDeviceConfig(configFile);
  const dir = DeviceDataDir.of(config, baseDir);
  const disk = await readDeviceDiskStatus(dir);
  return {
    dataDir: dir.root,
    deviceId: disk.deviceId,
    server: config.server?.url ?? null,
    model: disk.model,
    outboxFiles: disk.outbox.packages,
    outboxBytes: disk.outbox.bytes,
    lastSync: disk.sync?.lastRoundAt ?? null,
    lastSuccess: disk.sync?.lastSuccessAt ?? null,
    lastError: disk.sync?.lastError ?? null,
    droppedPackages: disk.sync?.outbox.droppedPackages ?? 0,
  };
}
