import { TinyMLOpsError, TransformDocument, parseOrThrow } from '@tinymlops/contracts';
import { Pca } from './pca.js';
import { StandardScaler } from './standard-scaler.js';
import { foldScalerPca, nativeTransformKernel, type TransformKernel } from './native-transform.js';

/**
 * The bundle's feature transform: optional StandardScaler, then optional PCA
 * (`transform.json`, schema `TransformDocument`). A dimension mismatch throws — the prototype
 * silently passed the untransformed vector on, which then reached a KNN of another dimension.
 * @example
 * const t = FeatureTransform.fromDocument(JSON.parse(await readFile('transform.json', 'utf8')));
 * const out = new Float32Array(t.outputDim);
 * t.apply(features, out); // allocation-free per frame
 */
export class FeatureTransform {
  readonly inputDim: number;
  readonly outputDim: number;
  readonly scaler: StandardScaler | undefined;
  readonly pca: Pca | undefined;
  readonly #scaled: Float32Array;
  #kernel: TransformKernel | undefined;

  constructor(parts: { scaler?: StandardScaler; pca?: Pca }) {
    this.scaler = parts.scaler;
    this.pca = parts.pca;
    const inputDim = this.scaler?.dim ?? this.pca?.inputDim;
    if (inputDim === undefined)
      throw new TinyMLOpsError('INVALID_OPTION', 'FeatureTransform: need a scaler, a PCA or both');
    if (this.scaler && this.pca && this.pca.inputDim !== this.scaler.dim)
      throw new TinyMLOpsError(
        'INVALID_OPTION',
        `FeatureTransform: scaler dim ${this.scaler.dim} ≠ PCA input dim ${this.pca.inputDim}`,
      );
    this.inputDim = inputDim;
    this.outputDim = this.pca?.outputDim ?? inputDim;
    this.#scaled = new Float32Array(inputDim);
  }

  /**
   * Builds a transform from a parsed or raw `transform.json` (validated against the contract).
   * @example
   * FeatureTransform.fromDocument({ schemaVersion: 1, inputDim: 2, outputDim: 2, scaler: { mean: [0, 0], scale: [1, 2] } });
   */
  static fromDocument(doc: unknown): FeatureTransform {
    const t = parseOrThrow(TransformDocument, doc, 'transform document');
    return new FeatureTransform({
      ...(t.scaler ? { scaler: new StandardScaler(t.scaler.mean, t.scaler.scale) } : {}),
      ...(t.pca ? { pca: new Pca(t.pca.mean, t.pca.components, t.pca.explainedVarianceRatio) } : {}),
    });
  }

  /**
   * Converts the prototype's exported feature processor (`feature_processor.json`, format
   * `standard-scaler-pca/v1`: scaler mean/scale, PCA mean/components) into a transform.
   * @example
   * FeatureTransform.fromPrototypeProcessor(JSON.parse(text)).outputDim; // 256
   */
  static fromPrototypeProcessor(doc: {
    scaler: { mean: number[]; scale: number[] };
    pca?: { mean: number[]; components: number[][]; whiten?: boolean };
  }): FeatureTransform {
    if (doc.pca?.whiten) throw new TinyMLOpsError('INVALID_OPTION', 'FeatureTransform: whitened PCA is not supported');
    return new FeatureTransform({
      scaler: new StandardScaler(doc.scaler.mean, doc.scaler.scale),
      ...(doc.pca ? { pca: new Pca(doc.pca.mean, doc.pca.components) } : {}),
    });
  }

  /**
   * Fits a scaler (always) and a PCA (when `outputDim` < input dim) on raw feature rows.
   * @example
   * const t = FeatureTransform.fit(rows, { outputDim: 64 });
   */
  static fit(rows: readonly Float32Array[], options: { outputDim?: number } = {}): FeatureTransform {
    const scaler = StandardScaler.fit(rows);
    const outputDim = options.outputDim ?? scaler.dim;
    if (outputDim === scaler.dim) return new FeatureTransform({ scaler });
    return new FeatureTransform({
      scaler,
      pca: Pca.fit(
        rows.map((r) => scaler.apply(r)),
        outputDim,
      ),
    });
  }

  /**
   * Switches `apply` to the native SIMD kernel (scaler and PCA folded into one matrix, XNNPACK's
   * float32 fully-connected operator) when TinyLCM's XNNPACK addon is built; ~10× faster, equal
   * within float32 rounding. Returns whether it did. Only a transform with a PCA is folded.
   * @example
   * transform.accelerate(); // true on a device with the addon
   */
  accelerate(): boolean {
    this.#kernel ??= this.pca ? nativeTransformKernel(this.scaler, this.pca) : undefined;
    return this.#kernel !== undefined;
  }

  /**
   * The transform as one affine map `W·x + b` (scaler and PCA folded in float64, stored as
   * float32), for a model backend to run as the model's last layer (`featureHead` of
   * `loadModelRuntime`); undefined without a PCA. Equal to {@link apply} within float32 rounding.
   * @example
   * const head = transform.affine(); // { weights: 256 × 1280, bias: 256 }
   */
  affine(): { weights: Float32Array; bias: Float32Array } | undefined {
    if (!this.pca) return undefined;
    const { w, b } = foldScalerPca(this.scaler, this.pca);
    return { weights: w, bias: b };
  }

  /**
   * Transforms one raw feature vector into `out` (allocated only when not given).
   * @example
   * transform.apply(raw, out);
   */
  apply(x: Float32Array, out: Float32Array = new Float32Array(this.outputDim)): Float32Array {
    if (x.length !== this.inputDim || out.length < this.outputDim)
      throw new TinyMLOpsError(
        'VALIDATION_FAILED',
        `FeatureTransform: expected ${this.inputDim} input values and room for ${this.outputDim}, got ${x.length} and ${out.length}`,
      );
    if (this.#kernel) return this.#kernel(x, out);
    if (!this.pca) return this.scaler ? this.scaler.apply(x, out) : (out.set(x), out);
    return this.pca.apply(this.scaler ? this.scaler.apply(x, this.#scaled) : x, out);
  }

  /**
   * Serialises to the `TransformDocument` wire shape.
   * @example
   * await writeFile('transform.json', JSON.stringify(t.toDocument()));
   */
  toDocument(): TransformDocument {
    const { scaler, pca } = this;
    return {
      schemaVersion: 1,
      inputDim: this.inputDim,
      outputDim: this.outputDim,
      ...(scaler ? { scaler: { mean: Array.from(scaler.mean), scale: Array.from(scaler.scale) } } : {}),
      ...(pca
        ? {
            pca: {
              mean: Array.from(pca.mean),
              components: Array.from({ length: pca.outputDim }, (_, j) => Array.from(pca.component(j))),
              ...(pca.explainedVarianceRatio ? { explainedVarianceRatio: Array.from(pca.explainedVarianceRatio) } : {}),
            },
          }
        : {}),
    };
  }
}
