import { FlatbufferRangeError, FlatbufferReader } from './flatbuffer-reader.js';
import { readTfliteModel, TfliteFormatError, type TfliteModelInfo } from './read-tflite-model.js';
import { F } from './tflite-schema.js';

/**
 * The builtin options of one operator, by schema field name. Only the fields of the option tables
 * the XNNPACK backend maps are read (Conv2D, DepthwiseConv2D, Add, Reducer); absent fields carry
 * schema.fbs' defaults.
 */
export interface TfliteOperatorOptions {
  padding: 'SAME' | 'VALID';
  strideW: number;
  strideH: number;
  dilationW: number;
  dilationH: number;
  depthMultiplier: number;
  /** `NONE`, `RELU`, `RELU_N1_TO_1`, `RELU6`, … (`ActivationFunctionType`). */
  activation: string;
  keepDims: boolean;
}

/** The model's structure plus what running it needs: operator options and constant tensor data. */
export interface TfliteGraph {
  info: TfliteModelInfo;
  options: TfliteOperatorOptions[];
  /** Raw bytes of a constant tensor (a view into the model bytes), undefined for activations. */
  constant(tensor: number): Uint8Array | undefined;
  /** `quantized_dimension` of a per-channel quantised tensor (0 when absent). */
  quantizedDimension(tensor: number): number;
}

const ACTIVATIONS = ['NONE', 'RELU', 'RELU_N1_TO_1', 'RELU6', 'TANH', 'SIGN_BIT'];
/** Field ids inside the option tables (schema.fbs declaration order). */
const OPT = {
  conv: { padding: 0, strideW: 1, strideH: 2, activation: 3, dilationW: 4, dilationH: 5 },
  depthwise: { padding: 0, strideW: 1, strideH: 2, depthMultiplier: 3, activation: 4, dilationW: 5, dilationH: 6 },
  add: { activation: 0 },
  reducer: { keepDims: 0 },
} as const;
/** `BuiltinOptions` union type values of those tables. */
const UNION = { conv: 1, depthwise: 2, add: 11, reducer: 27 } as const;
const OPERATOR_OPTIONS_TYPE = 3;
const OPERATOR_OPTIONS = 4;

/**
 * Reads a `.tflite` for execution by an engine of our own (the XNNPACK addon): everything
 * {@link readTfliteModel} reads, plus each operator's builtin options and the constant buffers.
 * Bounds-checked like the model reader: a corrupt file throws `TfliteFormatError`.
 * @example
 * const g = readTfliteGraph(bytes);
 * g.options[0].strideW; g.constant(g.info.operators[0].inputs[1]); // weights of the first op
 */
export function readTfliteGraph(bytes: Uint8Array): TfliteGraph {
  const info = readTfliteModel(bytes);
  const r = new FlatbufferReader(bytes);
  try {
    const model = r.rootTable();
    const subgraph = r.tableVector(model, F.model.subgraphs)[0] as number;
    const buffers = r.tableVector(model, F.model.buffers);
    const tensors = r.tableVector(subgraph, F.subgraph.tensors);
    const options = r.tableVector(subgraph, F.subgraph.operators).map((op) => readOptions(r, op));
    return {
      info,
      options,
      constant: (i) => {
        const t = tensors[i];
        const b = t === undefined ? undefined : buffers[r.uint32Field(t, F.tensor.buffer, 0)];
        const data = b === undefined ? undefined : r.refField(b, F.buffer.data);
        if (data === undefined) return undefined;
        const { length, start } = r.vector(data, 1);
        return length === 0 ? undefined : bytes.subarray(start, start + length);
      },
      quantizedDimension: (i) => {
        const t = tensors[i];
        const q = t === undefined ? undefined : r.refField(t, F.tensor.quantization);
        return q === undefined ? 0 : r.int32Field(q, F.quantization.quantizedDimension, 0);
      },
    };
  } catch (e) {
    if (e instanceof FlatbufferRangeError) throw new TfliteFormatError(`corrupt or truncated flatbuffer: ${e.message}`);
    throw e;
  }
}

function readOptions(r: FlatbufferReader, op: number): TfliteOperatorOptions {
  const type = r.int8Field(op, OPERATOR_OPTIONS_TYPE, 0) & 0xff;
  const t = r.refField(op, OPERATOR_OPTIONS);
  const field = (id: number | undefined, dflt: number, size: 1 | 4) => {
    if (t === undefined || id === undefined) return dflt;
    return size === 1 ? r.int8Field(t, id, dflt) : r.int32Field(t, id, dflt);
  };
  const o =
    type === UNION.conv ? OPT.conv : type === UNION.depthwise ? OPT.depthwise : type === UNION.add ? OPT.add : {};
  const get = (k: string) => (o as Record<string, number | undefined>)[k];
  return {
    padding: field(get('padding'), 0, 1) === 1 ? 'VALID' : 'SAME',
    strideW: field(get('strideW'), 1, 4),
    strideH: field(get('strideH'), 1, 4),
    dilationW: field(get('dilationW'), 1, 4),
    dilationH: field(get('dilationH'), 1, 4),
    depthMultiplier: field(get('depthMultiplier'), 1, 4),
    activation: ACTIVATIONS[field(get('activation'), 0, 1)] ?? 'UNKNOWN',
    keepDims: type === UNION.reducer && t !== undefined && r.int8Field(t, OPT.reducer.keepDims, 0) !== 0,
  };
}
