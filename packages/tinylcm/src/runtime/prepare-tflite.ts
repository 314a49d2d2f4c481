import { modelError, type LoadModelRuntimeOptions } from './model-runtime.js';
import { addFloatOutputs } from './tflite-flatbuffer/add-float-outputs.js';
import { fixDynamicBatch } from './tflite-flatbuffer/fix-dynamic-batch.js';
import {
  readTfliteModel,
  TfliteFormatError,
  type TfliteModelInfo,
  type TfliteQuantization,
  type TfliteTensorInfo,
} from './tflite-flatbuffer/read-tflite-model.js';

/** A model ready for LiteRT: patched bytes, the feature output's name, and how to dequantise outputs. */
export interface PreparedModel {
  bytes: Uint8Array;
  info: TfliteModelInfo;
  /** Signature output name of the feature tensor. */
  featureTensor: string;
  /** Output name → quantisation, for quantised outputs LiteRT can read (uint8). */
  dequantize: Map<string, TfliteQuantization>;
}

const READABLE = new Set(['float32', 'int32', 'uint8']);

/** Name LiteRT gives an output: its signature name, else the tensor name. */
function outputName(info: TfliteModelInfo, t: TfliteTensorInfo): string {
  return info.signatureOutputs.get(t.index) ?? t.name;
}

/**
 * Parses and patches a `.tflite` for LiteRT.js: checks it is a TFLite flatbuffer, fixes dynamic batch
 * dimensions, and makes the requested feature tensor a readable float32 output.
 * Works on a copy; the caller's bytes are untouched.
 * @example
 * const p = prepareTflite(bytes, { modelName: 'cls', featureTensor: 'model/global_average_pooling2d/Mean' });
 */
export function prepareTflite(source: Uint8Array, options: LoadModelRuntimeOptions): PreparedModel {
  const name = options.modelName;
  let bytes: Uint8Array = new Uint8Array(source);
  let info: TfliteModelInfo;
  try {
    info = readTfliteModel(bytes);
    fixDynamicBatch(bytes);
  } catch (e) {
    if (e instanceof TfliteFormatError) throw modelError(name, `not a valid TFLite file: ${e.message}`, e);
    throw e;
  }
  const outputs = info.outputs.map((i) => info.tensors[i]).filter((t) => t !== undefined);
  const unreadable = outputs.find((t) => !READABLE.has(t.dtype));
  if (unreadable) {
    throw modelError(
      name,
      `output "${outputName(info, unreadable)}" is ${unreadable.dtype.toUpperCase()} and cannot be read by LiteRT.js; ` +
        'export the model with float32 outputs (inference_output_type=tf.float32)',
    );
  }
  const badInput = info.inputs
    .map((i) => info.tensors[i])
    .find((t) => t !== undefined && t.dtype !== 'uint8' && t.dtype !== 'float32');
  if (badInput) {
    throw modelError(
      name,
      `input "${badInput.name}" is ${badInput.dtype.toUpperCase()}; LiteRT.js feeds only uint8 or float32 inputs ` +
        '(export with inference_input_type=tf.uint8)',
    );
  }
  const wanted = options.featureTensor;
  let featureTensor = wanted ?? (outputs[0] ? outputName(info, outputs[0]) : '');
  const asOutput = outputs.find((t) => outputName(info, t) === wanted || t.name === wanted);
  if (wanted !== undefined && asOutput) featureTensor = outputName(info, asOutput);
  else if (wanted !== undefined) {
    const t = info.tensors.find((x) => x.name === wanted);
    if (!t) {
      const names = outputs.map((o) => outputName(info, o)).join(', ');
      throw modelError(name, `feature tensor "${wanted}" is neither an output (${names}) nor a tensor of the graph`);
    }
    bytes = exposeTensor(bytes, t, name);
    info = readTfliteModel(bytes);
  }
  return { bytes, info, featureTensor, dequantize: quantisedOutputs(info) };
}

function exposeTensor(bytes: Uint8Array, t: TfliteTensorInfo, modelName: string): Uint8Array {
  const quantised = t.quantization !== undefined && t.quantization.scale.length === 1;
  if (t.dtype !== 'float32' && !(quantised && (t.dtype === 'int8' || t.dtype === 'uint8'))) {
    throw modelError(
      modelName,
      `tensor "${t.name}" is ${t.dtype.toUpperCase()} without per-tensor quantisation and cannot be read; ` +
        'choose a float32 or per-tensor-quantised int8/uint8 tensor',
    );
  }
  // The name stays the tensor's own name so callers find the output under what they asked for.
  return addFloatOutputs(bytes, [{ tensor: t.index, name: t.name }]);
}

function quantisedOutputs(info: TfliteModelInfo): Map<string, TfliteQuantization> {
  const m = new Map<string, TfliteQuantization>();
  for (const i of info.outputs) {
    const t = info.tensors[i];
    if (t?.dtype === 'uint8' && t.quantization) m.set(outputName(info, t), t.quantization);
  }
  return m;
}

/** Converts an output array to float32, dequantising `uint8` outputs (`scale × (q − zeroPoint)`). */
export function toFloat32(data: ArrayLike<number>, q: TfliteQuantization | undefined): Float32Array {
  if (data instanceof Float32Array) return data;
  const out = new Float32Array(data.length);
  const scale = q?.scale[0] ?? 1;
  const zp = q?.zeroPoint[0] ?? 0;
  for (let i = 0; i < data.length; i++) out[i] = scale * ((data[i] ?? 0) - zp);
  return out;
}
