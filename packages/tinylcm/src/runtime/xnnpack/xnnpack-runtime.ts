import {
  checkInput,
  modelError,
  type LoadModelRuntimeOptions,
  type ModelRuntime,
  type TensorDescription,
} from '../model-runtime.js';
import { readTfliteGraph } from '../tflite-flatbuffer/read-tflite-graph.js';
import { fixDynamicBatch } from '../tflite-flatbuffer/fix-dynamic-batch.js';
import { TfliteFormatError, type TfliteTensorInfo } from '../tflite-flatbuffer/read-tflite-model.js';
import { loadXnnpackAddon } from './xnnpack-addon.js';
import { planXnnpack, XnnUnsupportedError, type XnnPlan } from './xnnpack-plan.js';

/**
 * Loads a `.tflite` model into TinyLCM's XNNPACK addon: the kernels TF Lite itself runs, native,
 * with `threads` worker threads. The graph is read by our flatbuffer reader and translated op by
 * op ({@link planXnnpack}); a model with another op, or a machine without the addon, throws
 * `MODEL_LOAD_FAILED` and the caller falls back to LiteRT.js. Prefer {@link loadModelRuntime}.
 * @example
 * const rt = await createXnnpackRuntime(bytes, { modelName: 'object', backend: 'xnnpack', threads: 2 });
 */
export function createXnnpackRuntime(source: Uint8Array, options: LoadModelRuntimeOptions): Promise<ModelRuntime> {
  const name = options.modelName;
  const { addon, reason } = loadXnnpackAddon();
  if (!addon) return Promise.reject(modelError(name, `the xnnpack backend is unavailable: ${reason}`));
  let plan: XnnPlan;
  try {
    const bytes = new Uint8Array(source);
    fixDynamicBatch(bytes);
    const graph = readTfliteGraph(bytes);
    const extra = extraOutput(
      graph.info.tensors,
      graph.info.outputs,
      options.featureTensor,
      graph.info.signatureOutputs,
    );
    const head = options.featureHead ? { head: { ...options.featureHead, output: options.featureTensor } } : {};
    plan = planXnnpack(graph, { threads: Math.max(1, options.threads ?? 1), extraOutputs: extra, ...head });
  } catch (e) {
    if (e instanceof TfliteFormatError)
      return Promise.reject(modelError(name, `not a valid TFLite file: ${e.message}`, e));
    if (e instanceof XnnUnsupportedError) return Promise.reject(modelError(name, `xnnpack backend: ${e.message}`, e));
    throw e;
  }
  let handle: unknown;
  try {
    handle = addon.create(plan);
  } catch (e) {
    return Promise.reject(modelError(name, `XNNPACK could not build the model: ${(e as Error).message}`, e));
  }
  return Promise.resolve(new XnnpackRuntime(addon, handle, plan, options));
}

function extraOutput(
  tensors: TfliteTensorInfo[],
  outputs: number[],
  wanted: string | undefined,
  signatureOutputs: Map<number, string>,
): TfliteTensorInfo[] {
  if (wanted === undefined) return [];
  if (outputs.some((i) => signatureOutputs.get(i) === wanted || tensors[i]?.name === wanted)) return [];
  const t = tensors.find((x) => x.name === wanted);
  if (!t) throw new XnnUnsupportedError(`feature tensor "${wanted}" is neither an output nor a tensor of the graph`);
  return [t];
}

class XnnpackRuntime implements ModelRuntime {
  readonly backend = 'xnnpack' as const;
  readonly modelName: string;
  readonly inputs: readonly TensorDescription[];
  readonly outputs: readonly TensorDescription[];
  readonly featureTensor: string;
  readonly threads: number;
  readonly featureHead: boolean;
  #disposed = false;

  constructor(
    private readonly addon: NonNullable<ReturnType<typeof loadXnnpackAddon>['addon']>,
    private readonly handle: unknown,
    private readonly plan: XnnPlan,
    options: LoadModelRuntimeOptions,
  ) {
    this.modelName = options.modelName;
    this.threads = plan.threads;
    this.featureHead = options.featureHead !== undefined;
    this.inputs = [plan.input];
    this.outputs = plan.outputNames.map((name, i) => ({
      name,
      shape: [1, plan.outputLengths[i] ?? 0],
      dtype: 'float32',
    }));
    const wanted = options.featureTensor;
    const named = wanted !== undefined && plan.outputNames.includes(wanted);
    this.featureTensor = named ? wanted : (plan.outputNames[0] ?? '');
  }

  run(input: Uint8Array | Float32Array): Promise<Map<string, Float32Array>> {
    if (this.#disposed) return Promise.reject(modelError(this.modelName, 'run() after dispose()'));
    const desc = this.inputs[0] as TensorDescription;
    try {
      checkInput(this.modelName, desc, input);
      const outs = this.plan.outputLengths.map((n) => new Float32Array(n));
      this.addon.run(this.handle, input, outs);
      return Promise.resolve(new Map(outs.map((o, i) => [this.plan.outputNames[i] ?? `output_${i}`, o])));
    } catch (e) {
      return Promise.reject(modelError(this.modelName, `inference failed: ${(e as Error).message}`, e));
    }
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.addon.dispose(this.handle);
  }
}
