import { FlatbufferReader } from './flatbuffer-reader.js';
import { writeWithPrefix, type Field, type Node, type Ref } from './prefix-writer.js';
import { TfliteFormatError } from './read-tflite-model.js';
import { BUILTIN_DEQUANTIZE, F, TENSOR_TYPE_FLOAT32 } from './tflite-schema.js';

/** One tensor to expose as an extra float32 model output, under signature output name `name`. */
export interface ExtraOutput {
  tensor: number;
  name: string;
}

type Kind = 'ref' | 'u32' | 'i32' | 'u8';
const MODEL: Record<number, Kind> = { 0: 'u32', 1: 'ref', 2: 'ref', 3: 'ref', 4: 'ref', 5: 'ref', 6: 'ref', 7: 'ref' };
const SUBGRAPH: Record<number, Kind> = { 0: 'ref', 1: 'ref', 2: 'ref', 3: 'ref', 4: 'ref', 5: 'i32' };
const SIGNATURE: Record<number, Kind> = { 0: 'ref', 1: 'ref', 2: 'ref', 3: 'ref', 4: 'u32' };

/**
 * Returns a copy of a TFLite model whose first subgraph and first signature have extra float32
 * outputs. A quantised (int8/uint8) tensor gets a new float32 tensor fed by an appended DEQUANTIZE
 * op; a float32 tensor is exposed as is.
 *
 * Why: LiteRT.js can only read float32/int32/uint8 tensors ("Element type INT8 is not supported"),
 * and int8 MobileNets keep their feature layer (GAP) in int8. DEQUANTIZE is the exact affine map
 * `scale × (q − zeroPoint)` the reference runtime applies, so the features are unchanged.
 * @example
 * const patched = addFloatOutputs(bytes, [{ tensor: 178, name: 'gap_features' }]);
 */
export function addFloatOutputs(bytes: Uint8Array, extra: readonly ExtraOutput[]): Uint8Array {
  const r = new FlatbufferReader(bytes);
  const model = r.rootTable();
  const subgraphs = r.tableVector(model, F.model.subgraphs);
  const sg = subgraphs[0];
  if (sg === undefined) throw new TfliteFormatError('the model has no subgraph');
  const tensors = r.tableVector(sg, F.subgraph.tensors);
  const ops = r.tableVector(sg, F.subgraph.operators);
  const opcodes = r.tableVector(model, F.model.operatorCodes);
  let dequant = opcodes.findIndex((oc) => builtinOf(r, oc) === BUILTIN_DEQUANTIZE);
  const newOpcodes: Node[] = [];
  if (dequant < 0) {
    dequant = opcodes.length;
    newOpcodes.push(
      table([
        [F.operatorCode.deprecatedBuiltinCode, { u8: 6 }],
        [F.operatorCode.version, { i32: 2 }],
        [F.operatorCode.builtinCode, { i32: 6 }],
      ]),
    );
  }
  const newTensors: Node[] = [];
  const newOps: Node[] = [];
  const outIdx: number[] = [];
  for (const e of extra) {
    const t = tensors[e.tensor];
    if (t === undefined) throw new TfliteFormatError(`tensor ${e.tensor} does not exist`);
    if (r.int8Field(t, F.tensor.type, 0) === TENSOR_TYPE_FLOAT32) {
      outIdx.push(e.tensor);
      continue;
    }
    const idx = tensors.length + newTensors.length;
    newTensors.push(floatTensor(r.int32Vector(t, F.tensor.shape), `${e.name}_dequantized`));
    newOps.push(dequantizeOp(dequant, e.tensor, idx));
    outIdx.push(idx);
  }
  const outputs: Node = { kind: 'i32s', items: [...r.int32Vector(sg, F.subgraph.outputs), ...outIdx] };
  const newSg = copyTable(r, sg, SUBGRAPH, [
    [F.subgraph.tensors, refs([...tensors.map(old), ...newTensors.map(node)])],
    [F.subgraph.operators, refs([...ops.map(old), ...newOps.map(node)])],
    [F.subgraph.outputs, { ref: { node: outputs } }],
  ]);
  const overrides: [number, Field][] = [[F.model.subgraphs, refs([{ node: newSg }, ...subgraphs.slice(1).map(old)])]];
  if (newOpcodes.length > 0)
    overrides.push([F.model.operatorCodes, refs([...opcodes.map(old), ...newOpcodes.map(node)])]);
  const sigs = r.tableVector(model, F.model.signatureDefs);
  const sig0 = sigs[0];
  if (sig0 !== undefined) {
    const maps = extra.map((e, i) =>
      table([
        [F.tensorMap.name, str(e.name)],
        [F.tensorMap.tensorIndex, { u32: outIdx[i] ?? 0 }],
      ]),
    );
    const sigOuts = refs([...r.tableVector(sig0, F.signatureDef.outputs).map(old), ...maps.map(node)]);
    const newSig = copyTable(r, sig0, SIGNATURE, [[F.signatureDef.outputs, sigOuts]]);
    overrides.push([F.model.signatureDefs, refs([{ node: newSig }, ...sigs.slice(1).map(old)])]);
  }
  return writeWithPrefix(bytes, copyTable(r, model, MODEL, overrides));
}

const old = (p: number): Ref => ({ old: p });
const node = (n: Node): Ref => ({ node: n });
const refs = (items: Ref[]): Field => ({ ref: { node: { kind: 'refs', items } } });
const str = (value: string): Field => ({ ref: { node: { kind: 'string', value } } });
const table = (fields: [number, Field][]): Node => ({ kind: 'table', fields: new Map(fields) });

function builtinOf(r: FlatbufferReader, oc: number): number {
  return Math.max(
    r.int8Field(oc, F.operatorCode.deprecatedBuiltinCode, 0),
    r.int32Field(oc, F.operatorCode.builtinCode, 0),
  );
}

function floatTensor(shape: number[], name: string): Node {
  // Buffer 0 is TFLite's reserved empty buffer: the tensor is an activation, not a constant.
  return table([
    [F.tensor.shape, { ref: { node: { kind: 'i32s', items: shape } } }],
    [F.tensor.type, { u8: TENSOR_TYPE_FLOAT32 }],
    [F.tensor.buffer, { u32: 0 }],
    [F.tensor.name, str(name)],
  ]);
}

function dequantizeOp(opcode: number, input: number, output: number): Node {
  return table([
    [F.operator.opcodeIndex, { u32: opcode }],
    [F.operator.inputs, { ref: { node: { kind: 'i32s', items: [input] } } }],
    [F.operator.outputs, { ref: { node: { kind: 'i32s', items: [output] } } }],
  ]);
}

/** Copies every present field of an old table (as scalars or references to the old objects). */
function copyTable(r: FlatbufferReader, t: number, spec: Record<number, Kind>, overrides: [number, Field][]): Node {
  const fields = new Map<number, Field>();
  const vt = r.vtable(t);
  const count = (r.u16(vt) - 4) / 2;
  for (let id = 0; id < count; id++) {
    const p = r.fieldPos(t, id);
    if (p === undefined) continue;
    const kind = spec[id];
    if (kind === undefined) throw new TfliteFormatError(`cannot rewrite the model: unknown table field ${id}`);
    fields.set(
      id,
      kind === 'ref'
        ? { ref: old(r.deref(p)) }
        : kind === 'u8'
          ? { u8: r.u8(p) }
          : kind === 'i32'
            ? { i32: r.i32(p) }
            : { u32: r.u32(p) },
    );
  }
  for (const [id, f] of overrides) fields.set(id, f);
  return { kind: 'table', fields: new Map([...fields.entries()].sort((a, b) => a[0] - b[0])) };
}
