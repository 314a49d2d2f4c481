/**
 * `npx tsx bench/drift-image-statistics.ts [--threshold Z] [--dark Z] [--grain Z] [--sharpness Z] [--warmup N]
 * [--quiet F] [--alone] [--only scenario,…]`: the
 * device's default detector set with its `image-statistics` entry at these options (or that entry
 * alone) on every real
 * recording (3 seeds × independent, correlated, correlated jitter), fed the regenerated raw
 * frames. Prints, per family and scenario, the median delay (missed episodes) and false alarms per
 * 10k frames, and how many streams meet the goal of issue 13 (≤ 1 per 10k, median ≤ 15 frames).
 */
import type { DriftDetectorConfigInput } from '@tinymlops/contracts';
import { DEVICE_DEFAULT_DETECTORS, score } from '@tinymlops/tinylcm';
import { bundleContext, deviceDefaultAlarms } from './drift-device-default.js';
import { meetsGoal } from './drift-report-real.js';
import { REAL_SCENARIOS } from './real-scenarios.js';
import { correlatedFamily, independentFamily, realFrames, realRecordings } from './real-streams.js';

const arg = (flag: string, fallback: number) => {
  const i = process.argv.indexOf(flag);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const options = {
  threshold: arg('--threshold', 40),
  darkThreshold: arg('--dark', 20),
  grainThreshold: arg('--grain', 12),
  sharpnessThreshold: arg('--sharpness', 6),
  warmup: arg('--warmup', 30),
};
const quietFrames = arg('--quiet', 120);
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt > 0 ? process.argv[onlyAt + 1]!.split(',') : undefined;
const plan = REAL_SCENARIOS.filter((sc) => !only || only.includes(sc.name));
const image: DriftDetectorConfigInput = {
  kind: 'image-statistics',
  name: 'camera',
  sceneChange: 0.8,
  quietFrames,
  options,
};
const others = DEVICE_DEFAULT_DETECTORS.filter((d) => d.kind !== 'image-statistics');
const detectors = process.argv.includes('--alone') ? [image] : [...others, image];
const context = bundleContext();
const families = [1, 2, 3].flatMap((s) => [
  independentFamily(s),
  correlatedFamily(s, false),
  correlatedFamily(s, true),
]);
let met = 0;
let total = 0;
for (const family of families) {
  const [recordings, frames] = await Promise.all([realRecordings(family), realFrames(family, plan)]);
  const cells = recordings.flatMap((rec) => {
    if (only && !only.includes(rec.scenario)) return [];
    const alarms = deviceDefaultAlarms(rec, context, frames[plan.findIndex((p) => p.name === rec.scenario)], detectors);
    const r = score(alarms, rec.driftPoints, rec.labels.length, { deltaMax: rec.deltaMax });
    const ok = meetsGoal({
      ...r,
      detector: 'device-default',
      stream: rec.scenario,
      inputType: 'frame',
      baselineF1: NaN,
    });
    met += ok ? 1 : 0;
    total++;
    const missed = r.missedEpisodes ? ` (${r.missedEpisodes} missed)` : '';
    const delay = r.episodes ? `${r.delayMedian}${missed}` : '–';
    return `${rec.scenario}: ${delay} · ${r.falseAlarmsPer10k.toFixed(1)} ${ok ? '✓' : '✗'}`;
  });
  console.log(`${family.name || 'independent s1'}\n  ${cells.join('\n  ')}`);
}
console.log(
  `goal met on ${met} of ${total} streams (${JSON.stringify(options)}${detectors.length === 1 ? ', alone' : ''})`,
);
