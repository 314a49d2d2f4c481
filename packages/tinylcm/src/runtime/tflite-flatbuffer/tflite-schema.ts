/**
 * The few pieces of TFLite's `schema.fbs` (Apache-2.0, tensorflow/compiler/mlir/lite/schema) that the
 * hand-written reader and patcher need: field ids of the tables we walk, and enum values.
 * Field id `i` is vtable slot `4 + 2i`; union fields take two ids (type, value).
 */

/** Field ids per table (declaration order in schema.fbs). */
export const F = {
  model: {
    version: 0,
    operatorCodes: 1,
    subgraphs: 2,
    description: 3,
    buffers: 4,
    metadataBuffer: 5,
    metadata: 6,
    signatureDefs: 7,
  },
  subgraph: { tensors: 0, inputs: 1, outputs: 2, operators: 3, name: 4 },
  tensor: { shape: 0, type: 1, buffer: 2, name: 3, quantization: 4, shapeSignature: 7 },
  quantization: { scale: 2, zeroPoint: 3, quantizedDimension: 6 },
  operator: { opcodeIndex: 0, inputs: 1, outputs: 2 },
  operatorCode: { deprecatedBuiltinCode: 0, customCode: 1, version: 2, builtinCode: 3 },
  buffer: { data: 0 },
  signatureDef: { inputs: 0, outputs: 1, signatureKey: 2, subgraphIndex: 4 },
  tensorMap: { name: 0, tensorIndex: 1 },
} as const;

/** `TensorType` enum → lower-case dtype name. */
export const TENSOR_TYPES = [
  'float32',
  'float16',
  'int32',
  'uint8',
  'int64',
  'string',
  'bool',
  'int16',
  'complex64',
  'int8',
  'float64',
  'complex128',
  'uint64',
  'resource',
  'variant',
  'uint32',
  'uint16',
  'int4',
] as const;
export type TfliteDtype = (typeof TENSOR_TYPES)[number] | 'unknown';

/** `TensorType.FLOAT32`. */
export const TENSOR_TYPE_FLOAT32 = 0;
/** `BuiltinOperator.DEQUANTIZE`. */
export const BUILTIN_DEQUANTIZE = 6;
/** `BuiltinOperator.CUSTOM`. */
export const BUILTIN_CUSTOM = 32;
/** The 4-byte file identifier of TFLite flatbuffers, at byte offset 4. */
export const TFLITE_FILE_IDENTIFIER = 'TFL3';

/** Names of the builtin operators seen in MobileNet-style int8 models (for messages only). */
export const BUILTIN_NAMES: Readonly<Record<number, string>> = {
  0: 'ADD',
  1: 'AVERAGE_POOL_2D',
  2: 'CONCATENATION',
  3: 'CONV_2D',
  4: 'DEPTHWISE_CONV_2D',
  6: 'DEQUANTIZE',
  9: 'FULLY_CONNECTED',
  14: 'LOGISTIC',
  17: 'MAX_POOL_2D',
  18: 'MUL',
  19: 'RELU',
  21: 'RELU6',
  22: 'RESHAPE',
  25: 'SOFTMAX',
  28: 'TANH',
  32: 'CUSTOM',
  34: 'PAD',
  40: 'MEAN',
  41: 'SUB',
  60: 'PADV2',
  114: 'QUANTIZE',
  117: 'HARD_SWISH',
};
