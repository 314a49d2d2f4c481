import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../internal/test-paths.js';
import { loadBundlePipeline } from './bundle-pipeline.js';
import { loadBundle } from './load-bundle.js';

const dir = path.join(REPO_ROOT, 'models/fashion-mnv2');

describe('loadBundlePipeline classifier', () => {
  it('gates novel classes by default, with the bundle’s labels as the known classes', async () => {
    const bundle = await loadBundle(dir);
    const dp = await loadBundlePipeline(bundle, { knnDistance: false });
    try {
      expect([...(dp.classifier.novelClassGate?.known ?? [])]).toEqual(bundle.manifest.labels);
      expect(dp.classifier.novelClassGate?.margin).toBe(1.1);
    } finally {
      dp.dispose();
    }
  });

  it('takes gate settings, or turns the gate off', async () => {
    const bundle = await loadBundle(dir);
    const tuned = await loadBundlePipeline(bundle, {
      knnDistance: false,
      classifier: { novelClassGate: { k: 5, margin: 1.3 } },
    });
    const off = await loadBundlePipeline(bundle, { knnDistance: false, classifier: { novelClassGate: false } });
    try {
      expect(tuned.classifier.novelClassGate).toMatchObject({ k: 5, margin: 1.3 });
      expect(off.classifier.novelClassGate).toBeUndefined();
    } finally {
      tuned.dispose();
      off.dispose();
    }
  });
});
