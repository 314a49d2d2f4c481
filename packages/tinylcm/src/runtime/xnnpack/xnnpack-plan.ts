import type { TfliteGraph, TfliteOperatorOptions } from '../tflite-flatbuffer/read-tflite-graph.js';
import type { TfliteTensorInfo } from '../tflite-flatbuffer/read-tflite-model.js';
import type { TensorDescription } from '../model-runtime.js';

/** `enum xnn_datatype` values of xnnpack.h. */
const XNN = { fp32: 1, qint8: 3, qcint8: 6, qcint32: 7 } as const;
const FLAG_EXTERNAL_INPUT = 1;
const FLAG_EXTERNAL_OUTPUT = 2;
const FLAG_TENSORFLOW_SAME_PADDING = 4;
const NO_EXTERNAL_ID = 0xffffffff;

/** One XNNPACK value, as `tinylcm_xnnpack.c` defines it. */
export interface XnnTensor {
  type: number;
  dims: number[];
  zeroPoint: number;
  scale: Float32Array | undefined;
  channelDim: number;
  data: Uint8Array | Int32Array | Float32Array | undefined;
  externalId: number;
  flags: number;
}

/** One XNNPACK node: `inputs` and `output` index into {@link XnnPlan.tensors}. */
export interface XnnNode {
  op: 'conv' | 'dwconv' | 'pad' | 'add' | 'gap' | 'convert' | 'fc';
  params: Int32Array;
  floats: Float32Array;
  inputs: Int32Array;
  output: number;
}

/** What the addon builds a runtime from. */
export interface XnnPlan {
  tensors: XnnTensor[];
  nodes: XnnNode[];
  externalCount: number;
  threads: number;
  /** TFLite's QUANTIZE uint8 → int8 of the input, as a table (the addon applies it per byte). */
  inputLut: Int8Array | undefined;
  inputBytes: number;
  /** The model input as callers feed it (signature name, TFLite shape and element type). */
  input: TensorDescription;
  /** Output names in external-id order (1, 2, …) and their element counts. */
  outputNames: string[];
  outputLengths: number[];
}

/**
 * An affine map `y = W·x + b` run on the feature tensor as the graph's last node (XNNPACK's
 * float32 fully-connected operator): the feature transform folded into the model call.
 */
export interface FeatureHead {
  /** W, row-major, `bias.length` rows × the feature tensor's last dimension. */
  weights: Float32Array;
  bias: Float32Array;
}

/** Thrown for a model the XNNPACK backend cannot run (the caller falls back to another backend). */
export class XnnUnsupportedError extends Error {
  override readonly name = 'XnnUnsupportedError';
}

const ACTIVATION_RANGE: Record<string, [number, number]> = {
  NONE: [-Infinity, Infinity],
  RELU: [0, Infinity],
  RELU_N1_TO_1: [-1, 1],
  RELU6: [0, 6],
};

const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * Translates an int8 TFLite graph into an XNNPACK subgraph plan, op by op the way TF Lite's own
 * XNNPACK delegate does: CONV_2D / DEPTHWISE_CONV_2D (per-channel int8 weights, int32 bias), PAD,
 * ADD, MEAN over H and W (global average pooling), DEQUANTIZE, and a leading QUANTIZE of a uint8
 * input (done as a 256-entry table). Anything else throws {@link XnnUnsupportedError}.
 * `featureTensor` may name an int8 tensor inside the graph; it becomes an extra float output.
 * With `head`, the output named `head.output` (default the first) is the {@link FeatureHead} of it.
 * @example
 * const plan = planXnnpack(readTfliteGraph(bytes), { threads: 2, extraOutputs: [] });
 */
export function planXnnpack(
  g: TfliteGraph,
  o: { threads: number; extraOutputs: TfliteTensorInfo[]; head?: FeatureHead & { output?: string | undefined } },
): XnnPlan {
  const b = new PlanBuilder(g);
  const [inIndex, ...moreInputs] = g.info.inputs;
  const input = inIndex === undefined ? undefined : g.info.tensors[inIndex];
  if (!input || moreInputs.length > 0) throw new XnnUnsupportedError('the model must have exactly one input');
  const first = g.info.operators[0];
  let inputLut: Int8Array | undefined;
  let skip = -1;
  if (input.dtype === 'uint8' && first?.op === 'QUANTIZE' && first.inputs[0] === input.index) {
    const q = g.info.tensors[first.outputs[0] ?? -1] as TfliteTensorInfo;
    inputLut = requantizeTable(input, q);
    b.alias(q.index, b.external(q, 0, FLAG_EXTERNAL_INPUT));
    skip = 0;
  } else if (input.dtype === 'int8' || input.dtype === 'float32') {
    b.external(input, 0, FLAG_EXTERNAL_INPUT);
  } else throw new XnnUnsupportedError(`input "${input.name}" is ${input.dtype} without a leading QUANTIZE`);
  g.info.operators.forEach((op, i) => i !== skip && b.node(op, g.options[i] as TfliteOperatorOptions));
  const outputs = [...g.info.outputs.map((i) => g.info.tensors[i] as TfliteTensorInfo), ...o.extraOutputs];
  const outputNames = outputs.map((t) => g.info.signatureOutputs.get(t.index) ?? t.name);
  const headAt = o.head ? Math.max(0, o.head.output === undefined ? 0 : outputNames.indexOf(o.head.output)) : -1;
  outputs.forEach((t, k) => (k === headAt && o.head ? b.headOutput(t, k + 1, o.head) : b.output(t, k + 1)));
  const outputLengths = outputs.map((t) => count(t.shape));
  if (o.head) outputLengths[headAt] = o.head.bias.length;
  return {
    tensors: b.tensors,
    nodes: b.nodes,
    externalCount: outputs.length + 1,
    threads: o.threads,
    inputLut,
    inputBytes: inputLut || input.dtype !== 'float32' ? count(input.shape) : 4 * count(input.shape),
    input: { name: g.info.signatureInputs.get(input.index) ?? input.name, shape: input.shape, dtype: input.dtype },
    outputNames,
    outputLengths,
  };
}

/** uint8 (scale s₁, zp z₁) → int8 (s₂, z₂): round(s₁/s₂·(q − z₁)) + z₂, clamped, as TFLite computes it. */
function requantizeTable(from: TfliteTensorInfo, to: TfliteTensorInfo): Int8Array {
  const s1 = from.quantization?.scale[0] ?? 1;
  const z1 = from.quantization?.zeroPoint[0] ?? 0;
  const s2 = to.quantization?.scale[0] ?? 1;
  const z2 = to.quantization?.zeroPoint[0] ?? 0;
  const lut = new Int8Array(256);
  for (let q = 0; q < 256; q++) {
    const x = ((q - z1) * s1) / s2;
    lut[q] = Math.max(-128, Math.min(127, Math.sign(x) * Math.round(Math.abs(x)) + z2));
  }
  return lut;
}

class PlanBuilder {
  readonly tensors: XnnTensor[] = [];
  readonly nodes: XnnNode[] = [];
  readonly #ids = new Map<number, number>();

  constructor(private readonly g: TfliteGraph) {}

  alias(tflite: number, id: number): void {
    this.#ids.set(tflite, id);
  }

  external(t: TfliteTensorInfo, externalId: number, flags: number): number {
    const id = this.#push(this.#describe(t, externalId, flags));
    this.#ids.set(t.index, id);
    return id;
  }

  /** A float output: the tensor itself when it is float, else a DEQUANTIZE into a new external value. */
  output(t: TfliteTensorInfo, externalId: number): void {
    const id = this.#ids.get(t.index);
    if (id === undefined) throw new XnnUnsupportedError(`output "${t.name}" is not computed by the graph`);
    const v = this.tensors[id] as XnnTensor;
    if (v.type === XNN.fp32 && v.externalId === NO_EXTERNAL_ID) {
      Object.assign(v, { externalId, flags: v.flags | FLAG_EXTERNAL_OUTPUT });
      return;
    }
    const f = this.#push({ ...plain(t.shape, XNN.fp32), externalId, flags: FLAG_EXTERNAL_OUTPUT });
    this.#node('convert', [], [], [id], f);
  }

  /** `y = W·x + b` of tensor `t` (dequantised first when it is int8) as the float output `externalId`. */
  headOutput(t: TfliteTensorInfo, externalId: number, head: FeatureHead): void {
    const id = this.#ids.get(t.index);
    if (id === undefined) throw new XnnUnsupportedError(`output "${t.name}" is not computed by the graph`);
    const [inDim, outDim] = [t.shape.at(-1) ?? 0, head.bias.length];
    if (outDim === 0 || head.weights.length !== outDim * inDim)
      throw new XnnUnsupportedError(`feature head: ${head.weights.length} weights for ${inDim} → ${outDim}`);
    let x = id;
    if ((this.tensors[id] as XnnTensor).type !== XNN.fp32) {
      x = this.#push(plain(t.shape, XNN.fp32));
      this.#node('convert', [], [], [id], x);
    }
    const w = this.#push({ ...plain([outDim, inDim], XNN.fp32), data: head.weights });
    const bias = this.#push({ ...plain([outDim], XNN.fp32), data: head.bias });
    const dims = [...t.shape.slice(0, -1), outDim];
    const y = this.#push({ ...plain(dims, XNN.fp32), externalId, flags: FLAG_EXTERNAL_OUTPUT });
    this.#node('fc', [], [-Infinity, Infinity], [x, w, bias], y);
  }

  node(op: { op: string; inputs: number[]; outputs: number[] }, o: TfliteOperatorOptions): void {
    const [a, w, bias] = op.inputs.map((i) => this.g.info.tensors[i]);
    const out = this.g.info.tensors[op.outputs[0] ?? -1];
    if (!a || !out) throw new XnnUnsupportedError(`${op.op} without input or output`);
    const range = ACTIVATION_RANGE[o.activation];
    if (!range) throw new XnnUnsupportedError(`${op.op} with fused ${o.activation}`);
    const x = this.#value(a);
    if (op.op === 'CONV_2D' || op.op === 'DEPTHWISE_CONV_2D') {
      if (!w || !bias) throw new XnnUnsupportedError(`${op.op} without weights or bias`);
      const dw = op.op === 'DEPTHWISE_CONV_2D';
      const [, kh, kw, cin] = w.shape as [number, number, number, number];
      const flags = o.padding === 'SAME' ? FLAG_TENSORFLOW_SAME_PADDING : 0;
      const geometry = [0, 0, 0, 0, kh, kw, o.strideH, o.strideW, o.dilationH, o.dilationW];
      const params = dw
        ? [...geometry, o.depthMultiplier, a.shape[3] ?? 0, flags]
        : [...geometry, 1, cin, w.shape[0] ?? 0, flags];
      const ins = [x, this.#weights(w, dw ? 3 : 0), this.#bias(bias)];
      this.#node(dw ? 'dwconv' : 'conv', params, range, ins, this.#value(out));
    } else if (op.op === 'ADD' && w) {
      this.#node('add', [], range, [x, this.#value(w)], this.#value(out));
    } else if (op.op === 'PAD' && w) {
      const p = new Int32Array(this.#constantInt32(w));
      const params = [p[0], p[2], p[4], p[6], p[1], p[3], p[5], p[7]].map(Number);
      this.#node('pad', params, [0], [x], this.#value(out));
    } else if (op.op === 'MEAN' && w && a.shape.length === 4) {
      if ([...this.#constantInt32(w)].sort().join() !== '1,2')
        throw new XnnUnsupportedError('MEAN over axes other than H, W');
      this.#node('gap', [], range, [x], this.#value(out));
    } else if (op.op === 'DEQUANTIZE' || (op.op === 'QUANTIZE' && a.dtype === 'float32')) {
      this.#node('convert', [], [], [x], this.#value(out));
    } else throw new XnnUnsupportedError(`operator ${op.op} (${a.dtype}) is not supported by the XNNPACK backend`);
  }

  #node(op: XnnNode['op'], params: number[], floats: number[], inputs: number[], output: number): void {
    const p = Int32Array.from(params);
    this.nodes.push({ op, params: p, floats: Float32Array.from(floats), inputs: Int32Array.from(inputs), output });
  }

  #push(t: XnnTensor): number {
    this.tensors.push(t);
    return this.tensors.length - 1;
  }

  /** The value of an activation tensor, defined on first use. */
  #value(t: TfliteTensorInfo): number {
    const known = this.#ids.get(t.index);
    if (known !== undefined) return known;
    if (this.g.constant(t.index)) throw new XnnUnsupportedError(`constant input "${t.name}" is not supported`);
    const id = this.#push(this.#describe(t, NO_EXTERNAL_ID, 0));
    this.#ids.set(t.index, id);
    return id;
  }

  #describe(t: TfliteTensorInfo, externalId: number, flags: number): XnnTensor {
    if (t.dtype === 'float32') return { ...plain(t.shape, XNN.fp32), externalId, flags };
    const q = t.quantization;
    if (t.dtype !== 'int8' || !q || q.scale.length !== 1) {
      throw new XnnUnsupportedError(`tensor "${t.name}" is ${t.dtype} without per-tensor quantisation`);
    }
    const v = plain(t.shape, XNN.qint8);
    return { ...v, zeroPoint: q.zeroPoint[0] ?? 0, scale: Float32Array.of(q.scale[0] ?? 1), externalId, flags };
  }

  /** Per-channel int8 weights; a per-tensor scale is repeated per channel. */
  #weights(w: TfliteTensorInfo, channelDim: number): number {
    const data = this.g.constant(w.index);
    if (w.dtype !== 'int8' || !data || !w.quantization)
      throw new XnnUnsupportedError(`weights "${w.name}" are not int8`);
    if (w.quantization.zeroPoint.some((z) => z !== 0))
      throw new XnnUnsupportedError(`weights "${w.name}" have a zero point`);
    if (w.quantization.scale.length > 1 && this.g.quantizedDimension(w.index) !== channelDim) {
      throw new XnnUnsupportedError(`weights "${w.name}" are quantised along another axis`);
    }
    const scale = channelScales(w.quantization.scale, w.shape[channelDim] ?? 0);
    return this.#push({ ...plain(w.shape, XNN.qcint8), scale, channelDim, data });
  }

  #bias(b: TfliteTensorInfo): number {
    if (b.dtype !== 'int32' || !b.quantization) throw new XnnUnsupportedError(`bias "${b.name}" is not int32`);
    // Copied: XNNPACK reads int32s, and the flatbuffer does not promise 4-byte alignment.
    const data = new Int32Array(this.#constantInt32(b));
    const scale = channelScales(b.quantization.scale, b.shape[0] ?? 0);
    return this.#push({ ...plain(b.shape, XNN.qcint32), scale, data });
  }

  #constantInt32(t: TfliteTensorInfo): Int32Array {
    const raw = this.g.constant(t.index);
    if (!raw || t.dtype !== 'int32') throw new XnnUnsupportedError(`"${t.name}" is not a constant int32 tensor`);
    return new Int32Array(raw.slice().buffer, 0, raw.byteLength >> 2);
  }
}

function plain(shape: readonly number[], type: number): XnnTensor {
  const dims = [...shape];
  return {
    type,
    dims,
    zeroPoint: 0,
    scale: undefined,
    channelDim: 0,
    data: undefined,
    externalId: NO_EXTERNAL_ID,
    flags: 0,
  };
}

function channelScales(scale: readonly number[], channels: number): Float32Array {
  return scale.length === 1 ? new Float32Array(channels).fill(scale[0] ?? 1) : Float32Array.from(scale);
}
