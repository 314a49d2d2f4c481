import { z } from 'zod';
import {
  ADWINOptions,
  CUSUMOptions,
  DDMOptions,
  EDDMOptions,
  EWMAChartOptions,
  HDDMAOptions,
  HDDMWOptions,
  KSWINOptions,
  PageHinkleyOptions,
} from './drift-stream-options.js';
import {
  FeatureDistributionOptions,
  ImageStatisticsOptions,
  KnnDistanceMonitorOptions,
  MMDDriftOptions,
  NeighbourDiversityOptions,
  PredictionDistributionOptions,
} from './drift-monitor-options.js';
import { numberOption } from './drift-option-rules.js';

/**
 * What a detector consumes: a real value, an error bit (`true` = wrong, so labels are needed), a
 * predicted class (index or label), a feature vector, the labels of the KNN neighbours, or the
 * frame's raw pixels (`{ data, width, height, channels }`).
 */
export const DriftInputType = z.enum(['number', 'boolean', 'class', 'vector', 'neighbours', 'image']);
export type DriftInputType = z.infer<typeof DriftInputType>;

/**
 * Every drift detector kind TinyLCM implements, with its options schema and input type. TinyLCM's
 * registry is typed against this table, so a kind cannot exist on one side only.
 */
export const DRIFT_DETECTOR_KINDS = Object.freeze({
  'page-hinkley': { options: PageHinkleyOptions, input: 'number' },
  cusum: { options: CUSUMOptions, input: 'number' },
  adwin: { options: ADWINOptions, input: 'number' },
  kswin: { options: KSWINOptions, input: 'number' },
  'ewma-chart': { options: EWMAChartOptions, input: 'number' },
  ddm: { options: DDMOptions, input: 'boolean' },
  eddm: { options: EDDMOptions, input: 'boolean' },
  'hddm-a': { options: HDDMAOptions, input: 'boolean' },
  'hddm-w': { options: HDDMWOptions, input: 'boolean' },
  'prediction-distribution': { options: PredictionDistributionOptions, input: 'class' },
  'feature-distribution': { options: FeatureDistributionOptions, input: 'vector' },
  mmd: { options: MMDDriftOptions, input: 'vector' },
  'neighbour-diversity': { options: NeighbourDiversityOptions, input: 'neighbours' },
  'knn-distance': { options: KnnDistanceMonitorOptions, input: 'number' },
  'image-statistics': { options: ImageStatisticsOptions, input: 'image' },
} as const satisfies Record<string, { options: z.ZodType; input: DriftInputType }>);

/** A drift detector kind: `page-hinkley`, `knn-distance`, … */
export type DriftDetectorKind = keyof typeof DRIFT_DETECTOR_KINDS;
export const DriftDetectorKind = z.enum(
  Object.keys(DRIFT_DETECTOR_KINDS) as [DriftDetectorKind, ...DriftDetectorKind[]],
);

/** The resolved options (defaults applied) of a detector kind, as its `options` property holds them. */
export type ResolvedDetectorOptions<K extends DriftDetectorKind> = z.output<
  (typeof DRIFT_DETECTOR_KINDS)[K]['options']
>;

/** The kinds that watch an error stream: they need the true label of every frame. */
export const LABELLED_DRIFT_KINDS = (Object.keys(DRIFT_DETECTOR_KINDS) as DriftDetectorKind[]).filter(
  (k) => DRIFT_DETECTOR_KINDS[k].input === 'boolean',
);

/** Which frame signal feeds a detector of real values. */
export const DriftNumberInput = z.enum(['meanDistance', 'confidence']);
export type DriftNumberInput = z.infer<typeof DriftNumberInput>;

const common = {
  /** Name in drift events and logs (default: the kind); unique within a detector list. */
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9 ._()-]*$/i, 'letters, digits, space and ._()- only')
    .max(64)
    .optional(),
};

/**
 * For detectors without episodes of their own (every kind but knn-distance): an episode starts at
 * a drift signal and ends after this many frames without one.
 */
const quietFrames = numberOption({ min: 1, max: 100_000, integer: true }).default(60);

/** An entry of a detector whose options are `options`; `extra` adds the feeding fields. */
function entry<K extends DriftDetectorKind, S extends z.ZodType<object>, E extends z.core.$ZodLooseShape>(
  kind: K,
  options: S,
  extra: E,
) {
  return z.strictObject({ kind: z.literal(kind), ...common, options: options.prefault({} as z.input<S>), ...extra });
}

/**
 * Detectors without episodes of their own may take one update per scene instead of per frame: a
 * frame counts only when its features moved more than this many reference mean neighbour
 * distances from the first frame of the current scene (as knn-distance's option of that name).
 */
const sceneChange = numberOption({ min: 0, minExclusive: true }).nullable().default(null);

/** How a detector without episodes of its own is fed and when its episode ends. */
const plain = { quietFrames, sceneChange };

/** Detectors of real values: fed the mean KNN distance (default) or the confidence. */
const numeric = { input: DriftNumberInput.default('meanDistance'), ...plain };

/**
 * One detector of a config file (`device.json` → `drift.detectors`): its kind, its options (a
 * strict object: an unknown or misspelt option is an error naming it) and how the detector set
 * feeds it. Detectors of real values take the mean KNN distance or the confidence (`input`).
 * @example
 * DriftDetectorConfig.parse({ kind: 'cusum', options: { h: 10 }, input: 'confidence' });
 */
export const DriftDetectorConfig = z.discriminatedUnion('kind', [
  entry('page-hinkley', PageHinkleyOptions, numeric),
  entry('cusum', CUSUMOptions, numeric),
  entry('adwin', ADWINOptions, numeric),
  entry('kswin', KSWINOptions, numeric),
  entry('ewma-chart', EWMAChartOptions, numeric),
  entry('ddm', DDMOptions, plain),
  entry('eddm', EDDMOptions, plain),
  entry('hddm-a', HDDMAOptions, plain),
  entry('hddm-w', HDDMWOptions, plain),
  entry('prediction-distribution', PredictionDistributionOptions, plain),
  entry('feature-distribution', FeatureDistributionOptions, plain),
  entry('mmd', MMDDriftOptions, plain),
  entry('neighbour-diversity', NeighbourDiversityOptions, plain),
  // The monitor has episodes of its own (no quietFrames) and watches the mean distance only.
  entry('knn-distance', KnnDistanceMonitorOptions, { input: z.literal('meanDistance').default('meanDistance') }),
  entry('image-statistics', ImageStatisticsOptions, plain),
]);
export type DriftDetectorConfig = z.infer<typeof DriftDetectorConfig>;
export type DriftDetectorConfigInput = z.input<typeof DriftDetectorConfig>;

/** Why a device refuses a kind that needs labels. */
export function labelledKindMessage(kind: string): string {
  const free = (Object.keys(DRIFT_DETECTOR_KINDS) as DriftDetectorKind[]).filter(
    (k) => !LABELLED_DRIFT_KINDS.includes(k),
  );
  return `"${kind}" watches an error stream (was each prediction right?), which needs the true label of every frame; a device has no labels, so use a label-free kind: ${free.join(', ')}`;
}

/**
 * A detector a device can run: any {@link DriftDetectorConfig} except the kinds that need labels.
 * @example
 * DeviceDriftDetectorConfig.safeParse({ kind: 'ddm' }).success; // false: the message says why
 */
export const DeviceDriftDetectorConfig = DriftDetectorConfig.superRefine((d, ctx) => {
  if (LABELLED_DRIFT_KINDS.includes(d.kind))
    ctx.addIssue({ code: 'custom', path: ['kind'], input: d.kind, message: labelledKindMessage(d.kind) });
});
export type DeviceDriftDetectorConfig = z.infer<typeof DeviceDriftDetectorConfig>;

/**
 * The detector list of a device: label-free entries with distinct names (the name defaults to the
 * kind, so two detectors of one kind need names).
 * @example
 * DeviceDriftDetectors.parse([{ kind: 'knn-distance' }, { kind: 'cusum', input: 'confidence' }]);
 */
export const DeviceDriftDetectors = z.array(DeviceDriftDetectorConfig).superRefine((list, ctx) => {
  const seen = new Set<string>();
  list.forEach((d, i) => {
    const name = d.name ?? d.kind;
    if (seen.has(name)) {
      const message = `duplicate detector name "${name}": give each entry a distinct name`;
      ctx.addIssue({ code: 'custom', path: [i, 'name'], input: name, message });
    }
    seen.add(name);
  });
});
export type DeviceDriftDetectors = z.infer<typeof DeviceDriftDetectors>;
