import {
  checkInput,
  modelError,
  type LoadModelRuntimeOptions,
  type ModelRuntime,
  type TensorDescription,
} from './model-runtime.js';

/**
 * The slice of `onnxruntime-node`'s API this backend uses, declared structurally so TinyLCM
 * type-checks and runs without the (optional, native, x64/arm64-only) package installed.
 */
interface OrtTensor {
  readonly data: ArrayLike<number> | ArrayLike<bigint>;
  dispose?(): void;
}
interface OrtValueMetadata {
  readonly name: string;
  readonly isTensor: boolean;
  readonly type?: string;
  readonly shape?: ReadonlyArray<number | string>;
}
interface OrtSession {
  readonly inputMetadata: readonly OrtValueMetadata[];
  readonly outputMetadata: readonly OrtValueMetadata[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}
interface Ort {
  InferenceSession: { create(bytes: Uint8Array, options: object): Promise<OrtSession> };
  Tensor: new (type: string, data: Uint8Array | Float32Array, dims: readonly number[]) => OrtTensor;
}

// A variable specifier keeps bundlers and tsc from resolving the optional package statically.
const ORT_PACKAGE = 'onnxruntime-node';

async function importOrt(modelName: string): Promise<Ort> {
  try {
    const mod = (await import(ORT_PACKAGE)) as Ort & { default?: Ort };
    return mod.InferenceSession ? mod : (mod.default as Ort);
  } catch (e) {
    throw modelError(
      modelName,
      `the onnx backend needs the optional package onnxruntime-node (x64/arm64 only), which is not installed: ` +
        `run \`ONNXRUNTIME_NODE_INSTALL=skip npm i onnxruntime-node\` or use backend "litert" (${(e as Error).message})`,
      e,
    );
  }
}

/** Symbolic or dynamic dimensions (`'N'`, -1) become 1: TinyLCM runs one frame at a time. */
function describe(m: OrtValueMetadata): TensorDescription {
  const shape = (m.shape ?? []).map((d) => (typeof d === 'number' && d > 0 ? d : 1));
  return { name: m.name, shape, dtype: m.type ?? 'unknown' };
}

/**
 * Loads an `.onnx` model with onnxruntime-node (CPU, `threads` intra-op threads, default 1). Faster than LiteRT.js on x64/arm64
 * but has no armv7 binary, hence optional. Any graph tensor can be an output, so the feature tensor
 * must be one of the model's outputs. Prefer {@link loadModelRuntime}, which dispatches here.
 * @example
 * const rt = await createOnnxRuntime(bytes, { modelName: 'object', backend: 'onnx', featureTensor: 'features' });
 */
export async function createOnnxRuntime(bytes: Uint8Array, options: LoadModelRuntimeOptions): Promise<ModelRuntime> {
  const name = options.modelName;
  const ort = await importOrt(name);
  let session: OrtSession;
  try {
    session = await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: Math.max(1, options.threads ?? 1),
      interOpNumThreads: 1,
      // Without this the intra-op pool spins between runs and burns a core while the device waits.
      extra: { session: { intra_op: { allow_spinning: '0' } } },
      logSeverityLevel: 3,
    });
  } catch (e) {
    throw modelError(name, `onnxruntime could not load the model: ${(e as Error).message}`, e);
  }
  const inputs = session.inputMetadata.map(describe);
  const outputs = session.outputMetadata.map(describe);
  const featureTensor = options.featureTensor ?? outputs[0]?.name ?? '';
  if (!outputs.some((o) => o.name === featureTensor)) {
    await session.release();
    throw modelError(
      name,
      `feature tensor "${featureTensor}" is not an output (${outputs.map((o) => o.name).join(', ')})`,
    );
  }
  return {
    backend: 'onnx',
    modelName: name,
    inputs,
    outputs,
    featureTensor,
    threads: Math.max(1, options.threads ?? 1),
    async run(input) {
      const desc = inputs[0];
      if (!desc) throw modelError(name, 'the model has no input');
      checkInput(name, desc, input);
      const feeds = { [desc.name]: new ort.Tensor(desc.dtype, input, desc.shape) };
      const res = await session.run(feeds).catch((e: unknown) => {
        throw modelError(name, `inference failed: ${(e as Error).message}`, e);
      });
      return new Map(Object.entries(res).map(([k, t]) => [k, Float32Array.from(t.data as ArrayLike<number>, Number)]));
    },
    dispose() {
      void session.release();
    },
  };
}
