import { TinyMLOpsError, type InputSpec } from '@tinymlops/contracts';
import {
  readTfliteModel,
  TfliteFormatError,
  type TfliteModelInfo,
  type TfliteTensorInfo,
} from '../../runtime/tflite-flatbuffer/read-tflite-model.js';

/** How pixels are scaled for a float32 input, which the model file itself cannot tell. */
export const NORMALIZATION_PRESETS = {
  '0..1': { scale: 1 / 255, offset: 0 },
  '-1..1': { scale: 1 / 127.5, offset: -1 },
  raw: { scale: 1, offset: 0 },
} as const;
export type NormalizationPreset = keyof typeof NORMALIZATION_PRESETS;

/** Options of {@link inspectTfliteModel}. */
export interface ModelInspectionOptions {
  /** The file name, for error messages. */
  file: string;
  /** The feature tensor: an output's signature name or any tensor name; default the only output. */
  featureTensor?: string;
  /** Required for float32 inputs: a preset or explicit `{ scale, offset }` (value = pixel × scale + offset). */
  normalization?: NormalizationPreset | { scale: number; offset: number };
  /** Channel order of a 3-channel input (default rgb). */
  colorOrder?: 'rgb' | 'bgr';
}

/** What a bundle needs to know about its model, read from the `.tflite` flatbuffer. */
export interface ModelInspection {
  input: InputSpec;
  featureTensor: { name: string; dim: number };
  /** Every output as `name [shape] dtype`, for messages. */
  outputs: string[];
}

const fail = (file: string, problem: string): TinyMLOpsError =>
  new TinyMLOpsError('INVALID_OPTION', `${file}: ${problem}`);

/**
 * Reads the input tensor (name, shape, dtype, quantisation) and the feature tensor of a `.tflite`
 * model and derives the bundle's preprocessing: area resize to the input's height × width, gray
 * copied to RGB for 3-channel inputs, and the pixel scaling. A uint8 input is fed raw bytes (its
 * quantisation maps them onto whatever range the model was trained on); a float32 input needs
 * `normalization`, because the file does not record it.
 * @example
 * const m = inspectTfliteModel(bytes, { file: 'model.tflite' });
 * m.input.resize; // { method: 'area', width: 112, height: 112 }
 */
export function inspectTfliteModel(bytes: Uint8Array, options: ModelInspectionOptions): ModelInspection {
  let info: TfliteModelInfo;
  try {
    info = readTfliteModel(bytes);
  } catch (e) {
    if (e instanceof TfliteFormatError) throw fail(options.file, `not a TFLite model (${e.message})`);
    throw e;
  }
  const input = tensorAt(info, info.inputs, 0, options.file, 'input');
  if (info.inputs.length !== 1)
    throw fail(options.file, `has ${info.inputs.length} inputs; a bundle model takes one image`);
  return {
    input: inputSpec(info, input, options),
    featureTensor: featureTensor(info, options),
    outputs: info.outputs.map((i) => describeTensor(info, info.tensors[i] as TfliteTensorInfo)),
  };
}

function tensorAt(info: TfliteModelInfo, list: number[], i: number, file: string, what: string): TfliteTensorInfo {
  const t = info.tensors[list[i] ?? -1];
  if (!t) throw fail(file, `the model has no ${what} tensor`);
  return t;
}

function inputSpec(info: TfliteModelInfo, t: TfliteTensorInfo, o: ModelInspectionOptions): InputSpec {
  const shape = t.shape.map((d, i) => (i === 0 && d <= 0 ? 1 : d));
  const [batch, height, width, channels] = shape;
  if (shape.length !== 4 || batch !== 1 || !height || !width || (channels !== 1 && channels !== 3)) {
    throw fail(
      o.file,
      `input "${t.name}" has shape [${t.shape.join(',')}]; expected [1, height, width, 1 or 3] (NHWC)`,
    );
  }
  return {
    name: info.signatureInputs.get(t.index) ?? t.name,
    shape,
    dtype: inputDtype(t, o.file),
    colorOrder: o.colorOrder ?? 'rgb',
    normalization: normalization(t, o),
    resize: { method: 'area', width, height },
    grayscaleToRgb: channels === 3,
  };
}

function inputDtype(t: TfliteTensorInfo, file: string): 'uint8' | 'float32' {
  if (t.dtype === 'uint8' || t.dtype === 'float32') return t.dtype;
  throw fail(
    file,
    `input "${t.name}" is ${t.dtype}; the device feeds uint8 or float32 inputs (export with inference_input_type=tf.uint8)`,
  );
}

function normalization(t: TfliteTensorInfo, o: ModelInspectionOptions): { scale: number; offset: number } {
  const n = o.normalization;
  if (t.dtype === 'uint8') {
    if (n !== undefined && n !== 'raw' && !(typeof n === 'object' && n.scale === 1 && n.offset === 0)) {
      throw fail(
        o.file,
        `input "${t.name}" is uint8: the model takes raw pixel bytes (its quantisation does the scaling), so --normalization must be raw or left out`,
      );
    }
    return { scale: 1, offset: 0 };
  }
  if (n === undefined) {
    throw fail(
      o.file,
      `input "${t.name}" is float32 and the file does not say how pixels were scaled in training: give --normalization 0..1, -1..1, raw or <scale>,<offset>`,
    );
  }
  return typeof n === 'string' ? { ...NORMALIZATION_PRESETS[n] } : n;
}

function featureTensor(info: TfliteModelInfo, o: ModelInspectionOptions): { name: string; dim: number } {
  const outputs = info.outputs.map((i) => info.tensors[i] as TfliteTensorInfo);
  const sigName = (t: TfliteTensorInfo) => info.signatureOutputs.get(t.index) ?? t.name;
  let t: TfliteTensorInfo | undefined;
  if (o.featureTensor === undefined) {
    if (outputs.length !== 1) {
      throw fail(
        o.file,
        `has ${outputs.length} outputs; choose the feature tensor with --feature-tensor (${outputs.map((x) => describeTensor(info, x)).join('; ')})`,
      );
    }
    t = outputs[0];
  } else {
    t = outputs.find((x) => sigName(x) === o.featureTensor) ?? info.tensors.find((x) => x.name === o.featureTensor);
    if (!t) {
      throw fail(
        o.file,
        `no output or tensor is named "${o.featureTensor}" (outputs: ${outputs.map((x) => describeTensor(info, x)).join('; ')})`,
      );
    }
  }
  const tensor = t as TfliteTensorInfo;
  const dim = tensor.shape.slice(1).reduce((a, b) => a * Math.max(b, 1), 1);
  if (tensor.shape[0] !== 1 && tensor.shape[0] !== -1) {
    throw fail(o.file, `feature tensor "${tensor.name}" has shape [${tensor.shape.join(',')}]; expected batch 1 first`);
  }
  return { name: outputs.includes(tensor) ? sigName(tensor) : tensor.name, dim };
}

function describeTensor(info: TfliteModelInfo, t: TfliteTensorInfo): string {
  return `${info.signatureOutputs.get(t.index) ?? t.name} [${t.shape.join(',')}] ${t.dtype}`;
}
