import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildPackage, Outbox, packageIdFor } from '@tinymlops/tinylcm';
import { afterAll, describe, expect, it } from 'vitest';
import { readDeviceStatus } from './device-status.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function deviceFolder(): Promise<{ file: string; dataDir: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'device-status-'));
  dirs.push(dir);
  const file = path.join(dir, 'device.json');
  const config = {
    schemaVersion: 1,
    dataDir: 'data',
    model: { bundle: 'bundle' },
    source: { type: 'directory', path: 'frames' },
  };
  await writeFile(file, JSON.stringify(config));
  return { file, dataDir: path.join(dir, 'data') };
}

const logLine = (seq: number) => ({ seq, at: new Date().toISOString(), level: 'warn' as const, message: 'x' });
const logs = (n: number) => ({ logs: Array.from({ length: n }, (_, seq) => logLine(seq)) });

describe('tinylcm-device status', () => {
  it('counts the packages waiting in the outbox the device wrote, and their bytes', async () => {
    const { file, dataDir } = await deviceFolder();
    const outbox = await Outbox.open(path.join(dataDir, 'outbox'), { budgetBytes: 1 << 20 });
    let bytes = 0;
    for (let i = 0; i < 3; i++) {
      const packageId = packageIdFor('dev_00000001', outbox.reserveSequence());
      const pkg = await buildPackage({
        packageId,
        deviceId: 'dev_00000001',
        createdAt: new Date(),
        parts: logs(i + 1),
      });
      await outbox.enqueue(pkg);
      bytes += pkg.size;
    }
    await outbox.ack(outbox.pending()[0]!.packageId);
    const acked = bytes - outbox.stats().bytes;
    await outbox.close();
    const s = await readDeviceStatus(file);
    expect(s.dataDir).toBe(dataDir);
    expect(s.outboxFiles).toBe(2);
    expect(s.outboxBytes).toBe(bytes - acked);
  });

  it('reports an empty, never-run device without failing', async () => {
    const { file } = await deviceFolder();
    const s = await readDeviceStatus(file);
    expect(s).toMatchObject({ outboxFiles: 0, outboxBytes: 0, model: null, deviceId: null, lastSync: null });
  });
});
