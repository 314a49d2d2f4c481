import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { loadCredentials } from '../sync/device-credentials.js';
import { isPackageFile } from '../sync/outbox.js';
import { readSyncStatus, type SyncStatus } from '../sync/sync-status.js';
import type { DeviceDataDir } from './device-data-dir.js';
import { ModelStore } from './model-store.js';

/** What a device's data folder says about it, read from files only. */
export interface DeviceDiskStatus {
  deviceId: string | null;
  /** The active bundle as `<id>@<version>`. */
  model: string | null;
  /** Package files waiting in the outbox and their size. */
  outbox: { packages: number; bytes: number };
  /** The status the sync client saved after its last round. */
  sync: SyncStatus | undefined;
}

/**
 * Reads a device's state from its data folder without opening anything for writing, so it is
 * safe while the device runs (the outbox journal is not replayed: that would repair it).
 * @example
 * const s = await readDeviceDiskStatus(new DeviceDataDir('/var/lib/tinylcm'));
 * console.log(s.model, s.outbox.packages);
 */
export async function readDeviceDiskStatus(dir: DeviceDataDir): Promise<DeviceDiskStatus> {
  const creds = await loadCredentials(dir.credentials).catch(() => undefined);
  return {
    deviceId: creds?.deviceId ?? null,
    model: (await new ModelStore(dir.models).currentName()) ?? null,
    outbox: await packageFiles(dir.outboxParts.packages),
    sync: await readSyncStatus(dir.sync),
  };
}

async function packageFiles(folder: string): Promise<{ packages: number; bytes: number }> {
  const names = (await readdir(folder).catch(() => [] as string[])).filter(isPackageFile);
  const sizes = await Promise.all(
    names.map((n) =>
      stat(path.join(folder, n)).then(
        (s) => s.size,
        () => null,
      ),
    ),
  );
  const present = sizes.filter((s) => s !== null); // a package acked while we read is gone, not empty
  return { packages: present.length, bytes: present.reduce((a, b) => a + b, 0) };
}
