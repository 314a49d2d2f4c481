import { FlatbufferReader } from './flatbuffer-reader.js';
import { F } from './tflite-schema.js';

/**
 * Replaces every dynamic dimension (-1) in the tensors' `shape_signature` by the concrete value of
 * `shape` (1 for the batch dimension), in place. Returns how many dimensions were patched.
 *
 * Why: Keras exports carry `shape_signature [-1,224,224,3]`, and LiteRT.js then rejects a
 * `[1,224,224,3]` input ("does not match expected ranked tensor type UInt8[-1, …]"). The patch only
 * rewrites int32 values inside existing vectors, so no re-serialisation is needed.
 * @example
 * const bytes = new Uint8Array(fs.readFileSync('model.tflite')); // a private copy: patched in place
 * fixDynamicBatch(bytes); // → 73
 */
export function fixDynamicBatch(bytes: Uint8Array): number {
  const r = new FlatbufferReader(bytes);
  const model = r.rootTable();
  let patched = 0;
  for (const subgraph of r.tableVector(model, F.model.subgraphs)) {
    for (const tensor of r.tableVector(subgraph, F.subgraph.tensors)) {
      patched += patchTensor(r, tensor);
    }
  }
  return patched;
}

function patchTensor(r: FlatbufferReader, tensor: number): number {
  const sigVec = r.refField(tensor, F.tensor.shapeSignature);
  if (sigVec === undefined) return 0;
  const shape = r.int32Vector(tensor, F.tensor.shape);
  const { length, start } = r.vector(sigVec, 4);
  let patched = 0;
  for (let i = 0; i < length; i++) {
    if (r.i32(start + 4 * i) !== -1) continue;
    r.view.setInt32(start + 4 * i, Math.max(1, shape[i] ?? 1), true);
    patched++;
  }
  return patched;
}
