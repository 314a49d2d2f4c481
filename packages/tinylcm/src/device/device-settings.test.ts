import type { DeviceConfigInput } from '@tinymlops/contracts';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadBundle, type LoadedBundle } from '../bundle/load-bundle.js';
import { deviceSettings, pipelineSettings } from './device-settings.js';
import { HAS_TEST_BUNDLE, TEST_BUNDLE, testConfig } from './fixtures/test-device.js';

const settings = (extra: Partial<DeviceConfigInput>) => deviceSettings(testConfig(extra), '/srv/device');

/** The error `fn` throws, for matching its code, message and details. */
function refusal(fn: () => unknown): { code?: string; message?: string; details?: { path: string }[] } {
  try {
    fn();
  } catch (err) {
    return err as { code: string; message: string };
  }
  throw new Error('expected a refusal');
}

describe('deviceSettings', () => {
  it('maps the config to component options, paths resolved against the config folder', () => {
    const s = settings({ dataDir: 'data', outbox: { budgetBytes: 4096 }, drift: { samplesPerEpisode: 3 } });
    expect(s.dataDir.root).toBe('/srv/device/data');
    expect(s.dataLog.dir).toBe('/srv/device/data/log');
    expect(s.outboxBudgetBytes).toBe(4096);
    expect(s.samplesPerEpisode).toBe(3);
    expect(s.knnDistance).toEqual({});
  });

  it('refuses a misspelled detector option, naming the key', () => {
    const e = refusal(() => settings({ drift: { detectors: [{ kind: 'knn-distance', options: { lambda: 1 } }] } }));
    expect(e.code).toBe('VALIDATION_FAILED');
    expect(e.message).toMatch(/drift\.detectors\.0\.options .*"lambda"/);
    expect(e.details?.[0]?.path).toBe('drift.detectors.0.options');
  });

  it('refuses a detector listed twice', () => {
    const twice = [{ kind: 'knn-distance' }, { kind: 'knn-distance' }];
    expect(refusal(() => settings({ drift: { detectors: twice } })).message).toMatch(/drift\.detectors\.1\.kind/);
  });
});

describe.skipIf(!HAS_TEST_BUNDLE)('pipelineSettings against the bundle', () => {
  let bundle: LoadedBundle;
  beforeAll(async () => void (bundle = await loadBundle(TEST_BUNDLE)));

  it('takes k and metric from the bundle’s KNN state when the config does not set them', () => {
    const o = pipelineSettings(settings({}), bundle);
    expect(o.classifier).not.toHaveProperty('k');
    expect(o.classifier).not.toHaveProperty('metric');
  });

  it('accepts k and metric that agree with the bundle', () => {
    const { k, metric } = bundle.knnState!;
    expect(() => pipelineSettings(settings({ classifier: { k, metric } }), bundle)).not.toThrow();
  });

  it('refuses a k, metric or capacity the bundle’s KNN state contradicts, naming the key', () => {
    const state = bundle.knnState!;
    const otherMetric = state.metric === 'cosine' ? 'manhattan' : 'cosine';
    const cases: [Partial<DeviceConfigInput>, string][] = [
      [{ classifier: { k: state.k + 2 } }, 'classifier.k'],
      [{ classifier: { metric: otherMetric } }, 'classifier.metric'],
      [{ classifier: { capacity: state.count - 1 } }, 'classifier.capacity'],
    ];
    for (const [extra, key] of cases) {
      const e = refusal(() => pipelineSettings(settings(extra), bundle));
      expect(e.code).toBe('VALIDATION_FAILED');
      expect(e.details?.[0]?.path).toBe(key);
      expect(e.message).toContain('fashion-mnv2@1.0.0');
    }
  });
});
