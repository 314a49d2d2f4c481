import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BundleManifest, DeviceConfig, HeartbeatMetrics } from './index.js';

const fashion = JSON.parse(
  fs.readFileSync(new URL('../../../models/fashion-mnv2/bundle.json', import.meta.url), 'utf8'),
) as Record<string, unknown> & { model: Record<string, unknown> };

describe('inference backends in the contracts', () => {
  it('bundle.json may list twins of its model; each must be a listed file of another format', () => {
    expect(BundleManifest.parse(fashion).model.twins).toEqual([{ path: 'model.onnx', format: 'onnx' }]);
    const unlisted = { ...fashion, model: { ...fashion.model, twins: [{ path: 'other.onnx', format: 'onnx' }] } };
    expect(BundleManifest.safeParse(unlisted).error?.issues[0]?.message).toBe('other.onnx is not listed in files');
    const twice = { ...fashion, model: { ...fashion.model, twins: [{ path: 'model.tflite', format: 'tflite' }] } };
    expect(BundleManifest.safeParse(twice).error?.issues[0]?.message).toBe('a second tflite model');
  });

  it('device.json: inference.backend defaults to auto; threads and a pinned backend are checked', () => {
    const base = { schemaVersion: 1, model: { bundle: 'b' }, source: { type: 'directory', path: 'x' } };
    expect(DeviceConfig.parse(base).inference).toEqual({ intervalMs: 1000, backend: 'auto' });
    const pinned = DeviceConfig.parse({ ...base, inference: { backend: 'litert', threads: 2 } }).inference;
    expect(pinned).toMatchObject({ backend: 'litert', threads: 2 });
    expect(DeviceConfig.safeParse({ ...base, inference: { backend: 'tpu' } }).success).toBe(false);
    expect(DeviceConfig.safeParse({ ...base, inference: { threads: 0 } }).success).toBe(false);
    expect(DeviceConfig.parse({ ...base, inference: { threads: 'auto' } }).inference.threads).toBe('auto');
    expect(DeviceConfig.safeParse({ ...base, inference: { threads: 'all' } }).success).toBe(false);
  });

  it('heartbeat metrics may carry the backend and threads in use', () => {
    const m = { framesProcessed: 1, driftActive: false, outboxBytes: 0, outboxPackages: 0, droppedPackages: 0 };
    expect(HeartbeatMetrics.parse({ ...m, inferenceBackend: 'xnnpack', inferenceThreads: 4 })).toMatchObject({
      inferenceBackend: 'xnnpack',
    });
    expect(HeartbeatMetrics.safeParse({ ...m, inferenceBackend: 'gpu' }).success).toBe(false);
  });
});
