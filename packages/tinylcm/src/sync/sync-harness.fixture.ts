/**
 * Test fixture: a loopback server, a temp directory, an outbox and SyncClients wired together,
 * with a clock the tests move by hand. Not exported from the package.
 */
import { createHash, type KeyObject } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { BundleManifest } from '@tinymlops/contracts';
import { signBundleManifest } from '../bundle/bundle-signature.js';
import { LoopbackDeviceServer, TOKEN } from './loopback-device-server.fixture.js';
import { Outbox } from './outbox.js';
import { buildPackage, packageIdFor } from './package-builder.js';
import { SyncClient, type DeviceStatusReport, type SyncClientOptions } from './sync-client.js';
import type { SyncLogger } from './sync-logger.js';
import { writeTar } from './tar-archive.js';

export const DEVICE = 'dev_00000001';

/** A healthy monitoring-only device running no model. */
export function statusReport(): DeviceStatusReport {
  return {
    status: 'ok',
    mode: 'monitoring-only',
    model: null,
    stateVersion: 0,
    uptimeSeconds: 1,
    metrics: { framesProcessed: 0, driftActive: false, outboxBytes: 0, outboxPackages: 0, droppedPackages: 0 },
  };
}

/** Everything a sync test needs; `now` is the injected clock (ms). */
export class SyncHarness {
  now = Date.parse('2026-11-26T10:00:00Z');
  /** The last log record seq handed out. */
  logSeq = 0;
  readonly warnings: Record<string, unknown>[] = [];
  readonly log: SyncLogger = {
    info: () => undefined,
    warn: (message, ctx) => this.warnings.push({ ...ctx, log: message }),
  };
  private readonly clients: SyncClient[] = [];

  private constructor(
    public server: LoopbackDeviceServer,
    readonly dir: string,
    public outbox: Outbox,
  ) {}

  static async create(): Promise<SyncHarness> {
    const dir = await mkdtemp(join(tmpdir(), 'sync-'));
    const h = new SyncHarness(await new LoopbackDeviceServer().start(), dir, undefined as unknown as Outbox);
    h.outbox = await h.openOutbox();
    return h;
  }

  openOutbox(budgetBytes = 1_000_000): Promise<Outbox> {
    return Outbox.open(join(this.dir, 'outbox'), { budgetBytes, now: () => this.now });
  }

  /** A client of the current server and outbox; stopped by `close()`. */
  client(extra: Partial<SyncClientOptions> = {}): SyncClient {
    const c = new SyncClient({
      credentials: { serverUrl: this.server.url, deviceToken: TOKEN, heartbeatIntervalSeconds: 60 },
      outbox: this.outbox,
      stateDir: join(this.dir, 'state'),
      status: statusReport,
      now: () => this.now,
      backoff: { baseMs: 1000, random: () => 0.999 },
      log: this.log,
      ...extra,
    });
    this.clients.push(c);
    return c;
  }

  /** Enqueues `count` one-line log packages; returns their ids. */
  async enqueueLogs(count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const seq = this.outbox.reserveSequence();
      const at = new Date(this.now).toISOString();
      // Record seqs are small like a device's (the outbox's package seq starts at the epoch ms).
      const line = ++this.logSeq;
      const parts = { logs: [{ seq: line, at, level: 'info' as const, message: `line ${seq}` }] };
      const pkg = await buildPackage({
        packageId: packageIdFor(DEVICE, seq),
        deviceId: DEVICE,
        createdAt: new Date(this.now),
        parts,
      });
      await this.outbox.enqueue(pkg);
      ids.push(pkg.packageId);
    }
    return ids;
  }

  /** Runs rounds, moving the clock past each backoff, until the outbox is empty. */
  async drain(c: SyncClient): Promise<number> {
    for (let rounds = 1; rounds <= 40; rounds++) {
      const r = await c.syncOnce();
      if (r.ran && !r.error && this.outbox.pending().length === 0) return rounds;
      this.now += 3_600_000;
    }
    throw new Error('outbox did not drain');
  }

  async close(): Promise<void> {
    for (const c of this.clients.splice(0)) await c.stop();
    await this.outbox.close();
    await this.server.close();
  }
}

/** A small valid bundle (and its assignment) as the server would serve it; options break it on purpose. */
export async function bundleFixture(
  options: { corruptFile?: boolean; version?: string; sign?: { key: KeyObject; keyId: string } } = {},
) {
  const version = options.version ?? '1.1.0';
  const model = Buffer.from('not really a tflite model');
  const manifest: BundleManifest = {
    schemaVersion: 1,
    id: 'tiny-model',
    version,
    createdAt: '2026-11-26T10:00:00.000Z',
    model: { path: 'model.tflite', format: 'tflite' },
    input: {
      name: 'input',
      shape: [1, 96, 96, 3],
      dtype: 'uint8',
      colorOrder: 'rgb',
      normalization: { scale: 1, offset: 0 },
      resize: { method: 'area', width: 96, height: 96 },
      grayscaleToRgb: true,
    },
    featureTensor: { name: 'features', dim: 8 },
    labels: ['a', 'b'],
    files: [
      {
        path: 'model.tflite',
        sha256: createHash('sha256')
          .update(options.corruptFile ? 'other' : model)
          .digest('hex'),
        size: model.length,
        mediaType: 'application/octet-stream',
      },
    ],
  };
  const { sign } = options;
  const signed = sign ? signBundleManifest(manifest, sign.key, sign.keyId) : manifest;
  const archive = gzipSync(
    await writeTar(
      [
        { path: 'bundle.json', bytes: Buffer.from(JSON.stringify(signed)) },
        { path: 'model.tflite', bytes: model },
      ],
      new Date(0),
    ),
  );
  const sha = createHash('sha256').update(archive).digest('hex');
  const downloadPath = `/device/v1/models/tiny-model/versions/${version}/bundle`;
  return {
    body: {
      schemaVersion: 1 as const,
      modelId: 'tiny-model',
      version,
      bundleSha256: sha,
      bundleSize: archive.length,
      downloadPath,
      assignedAt: '2026-11-26T10:10:00.000Z',
    },
    etag: `"tiny-model-${version}"`,
    bundle: archive,
  };
}
