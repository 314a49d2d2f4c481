import { FlatbufferReader, FlatbufferRangeError } from './flatbuffer-reader.js';
import { BUILTIN_NAMES, F, TENSOR_TYPES, TFLITE_FILE_IDENTIFIER, type TfliteDtype } from './tflite-schema.js';

/** Affine quantisation of a tensor (`real = scale × (q − zeroPoint)`), per-tensor or per-channel. */
export interface TfliteQuantization {
  scale: number[];
  zeroPoint: number[];
}

/** One tensor of the main subgraph. */
export interface TfliteTensorInfo {
  index: number;
  name: string;
  dtype: TfliteDtype;
  shape: number[];
  /** Shape with -1 for dynamic dimensions; equals `shape` when the model has no signature. */
  shapeSignature: number[];
  quantization: TfliteQuantization | undefined;
}

/** One operator of the main subgraph. */
export interface TfliteOperatorInfo {
  opcodeIndex: number;
  /** Builtin name (`CONV_2D`), `CUSTOM:<code>` or `BUILTIN_<n>` for codes this reader does not name. */
  op: string;
  inputs: number[];
  outputs: number[];
}

/** What the reader extracts from a `.tflite` file (first subgraph only; these models have one). */
export interface TfliteModelInfo {
  version: number;
  tensors: TfliteTensorInfo[];
  inputs: number[];
  outputs: number[];
  operators: TfliteOperatorInfo[];
  /** Builtin operator code of every `OperatorCode` entry (32 = CUSTOM). */
  opcodes: { builtin: number; custom: string | undefined; version: number }[];
  /** Signature output name → tensor index, for the first signature (empty when there is none). */
  signatureOutputs: Map<number, string>;
  signatureInputs: Map<number, string>;
}

/** Raised for bytes that are not a readable TFLite flatbuffer. */
export class TfliteFormatError extends Error {
  override readonly name = 'TfliteFormatError';
}

/**
 * Parses the structure of a TFLite model (tensors, I/O, ops, quantisation, first signature).
 * Zero-copy and bounds-checked: a corrupt or truncated file throws {@link TfliteFormatError}.
 * @example
 * const info = readTfliteModel(new Uint8Array(fs.readFileSync('model.tflite')));
 * const out = info.tensors[info.outputs[0]!]; // { name, dtype: 'float32', shape: [1, 1280], … }
 */
export function readTfliteModel(bytes: Uint8Array): TfliteModelInfo {
  if (bytes.byteLength < 16) throw new TfliteFormatError(`file is only ${bytes.byteLength} bytes`);
  const ident = new TextDecoder().decode(bytes.subarray(4, 8));
  if (ident !== TFLITE_FILE_IDENTIFIER) {
    throw new TfliteFormatError(
      `missing the "${TFLITE_FILE_IDENTIFIER}" file identifier (found ${JSON.stringify(ident)})`,
    );
  }
  try {
    return readModel(new FlatbufferReader(bytes));
  } catch (e) {
    if (e instanceof FlatbufferRangeError) throw new TfliteFormatError(`corrupt or truncated flatbuffer: ${e.message}`);
    throw e;
  }
}

function readModel(r: FlatbufferReader): TfliteModelInfo {
  const model = r.rootTable();
  const subgraph = r.tableVector(model, F.model.subgraphs)[0];
  if (subgraph === undefined) throw new TfliteFormatError('the model has no subgraph');
  const opcodes = r.tableVector(model, F.model.operatorCodes).map((oc) => {
    const deprecated = r.int8Field(oc, F.operatorCode.deprecatedBuiltinCode, 0);
    return {
      builtin: Math.max(deprecated, r.int32Field(oc, F.operatorCode.builtinCode, 0)),
      custom: r.stringField(oc, F.operatorCode.customCode),
      version: r.int32Field(oc, F.operatorCode.version, 1),
    };
  });
  const operators = r.tableVector(subgraph, F.subgraph.operators).map((op) => {
    const opcodeIndex = r.uint32Field(op, F.operator.opcodeIndex, 0);
    const oc = opcodes[opcodeIndex];
    if (oc === undefined) throw new TfliteFormatError(`operator refers to missing opcode ${opcodeIndex}`);
    return {
      opcodeIndex,
      op: opName(oc),
      inputs: r.int32Vector(op, F.operator.inputs),
      outputs: r.int32Vector(op, F.operator.outputs),
    };
  });
  checkBuffers(r, model);
  const sig = r.tableVector(model, F.model.signatureDefs)[0];
  return {
    version: r.uint32Field(model, F.model.version, 0),
    tensors: r.tableVector(subgraph, F.subgraph.tensors).map((t, index) => readTensor(r, t, index)),
    inputs: r.int32Vector(subgraph, F.subgraph.inputs),
    outputs: r.int32Vector(subgraph, F.subgraph.outputs),
    operators,
    opcodes,
    signatureInputs: sig === undefined ? new Map() : readTensorMaps(r, sig, F.signatureDef.inputs),
    signatureOutputs: sig === undefined ? new Map() : readTensorMaps(r, sig, F.signatureDef.outputs),
  };
}

/** Weights live in `Buffer.data` vectors, usually at the end of the file: a cut file loses them. */
function checkBuffers(r: FlatbufferReader, model: number): void {
  for (const b of r.tableVector(model, F.model.buffers)) {
    const data = r.refField(b, F.buffer.data);
    if (data !== undefined) r.vector(data, 1);
  }
}

function opName(oc: { builtin: number; custom: string | undefined }): string {
  if (oc.custom !== undefined) return `CUSTOM:${oc.custom}`;
  return BUILTIN_NAMES[oc.builtin] ?? `BUILTIN_${oc.builtin}`;
}

function readTensor(r: FlatbufferReader, t: number, index: number): TfliteTensorInfo {
  const shape = r.int32Vector(t, F.tensor.shape);
  const sig = r.int32Vector(t, F.tensor.shapeSignature);
  return {
    index,
    name: r.stringField(t, F.tensor.name) ?? `tensor_${index}`,
    dtype: TENSOR_TYPES[r.int8Field(t, F.tensor.type, 0)] ?? 'unknown',
    shape,
    shapeSignature: sig.length > 0 ? sig : shape,
    quantization: readQuantization(r, t),
  };
}

function readQuantization(r: FlatbufferReader, t: number): TfliteQuantization | undefined {
  const q = r.refField(t, F.tensor.quantization);
  if (q === undefined) return undefined;
  const scaleVec = r.refField(q, F.quantization.scale);
  if (scaleVec === undefined) return undefined;
  const s = r.vector(scaleVec, 4);
  const scale = Array.from({ length: s.length }, (_, i) => r.f32(s.start + 4 * i));
  const zpVec = r.refField(q, F.quantization.zeroPoint);
  const z = zpVec === undefined ? { length: 0, start: 0 } : r.vector(zpVec, 8);
  const zeroPoint = Array.from({ length: z.length }, (_, i) => r.i64(z.start + 8 * i));
  return { scale, zeroPoint };
}

function readTensorMaps(r: FlatbufferReader, sig: number, id: number): Map<number, string> {
  const out = new Map<number, string>();
  for (const tm of r.tableVector(sig, id)) {
    out.set(r.uint32Field(tm, F.tensorMap.tensorIndex, 0), r.stringField(tm, F.tensorMap.name) ?? '');
  }
  return out;
}
