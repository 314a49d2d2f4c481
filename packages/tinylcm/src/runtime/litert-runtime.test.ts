import fs from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TinyMLOpsError } from '@tinymlops/contracts';
import { referenceArtifact } from '../internal/test-paths.js';
import { loadModelRuntime, type ModelRuntime } from './model-runtime.js';
import { FlatbufferReader } from './tflite-flatbuffer/flatbuffer-reader.js';
import { F } from './tflite-flatbuffer/tflite-schema.js';

const objectModel = referenceArtifact('scenario2/model_object.tflite');
const clsModel = referenceArtifact('scenario0/model_classification.tflite');

/** A deterministic 224×224 RGB scene drawn by sharp (coloured shapes on a gradient-ish background). */
async function sceneRgb224(): Promise<Uint8Array> {
  const svg = `<svg width="640" height="480" xmlns="http://www.w3.org/2000/svg">
    <rect width="640" height="480" fill="#7a9"/><circle cx="320" cy="240" r="120" fill="#c33"/>
    <rect x="60" y="60" width="140" height="90" fill="#25d"/></svg>`;
  const raw = await sharp(Buffer.from(svg)).resize(224, 224, { fit: 'fill' }).removeAlpha().raw().toBuffer();
  return new Uint8Array(raw);
}

async function expectModelError(p: Promise<unknown>, ...parts: RegExp[]): Promise<void> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(TinyMLOpsError);
  expect((e as TinyMLOpsError).code).toBe('MODEL_LOAD_FAILED');
  for (const re of parts) expect((e as Error).message).toMatch(re);
}

describe.skipIf(!objectModel)("the prototype's 224×224 object model (LiteRT.js)", () => {
  let rt: ModelRuntime;
  beforeAll(async () => {
    rt = await loadModelRuntime(objectModel as string, { modelName: 'poc-object' });
  });
  afterAll(() => rt.dispose());

  it('describes one uint8 [1,224,224,3] input and the 1280-d feature_pool output', () => {
    expect(rt.inputs).toEqual([{ name: 'input_1', shape: [1, 224, 224, 3], dtype: 'uint8' }]);
    expect(rt.outputs).toEqual([{ name: 'feature_pool', shape: [1, 1280], dtype: 'float32' }]);
    expect(rt.featureTensor).toBe('feature_pool');
  });

  it('yields a finite, non-trivial 1280-d feature vector for a sharp-made image', async () => {
    const out = await rt.run(await sceneRgb224());
    const f = out.get('feature_pool');
    expect(f).toBeInstanceOf(Float32Array);
    expect(f?.length).toBe(1280);
    expect(f?.every(Number.isFinite)).toBe(true);
    expect(f?.some((v) => v > 0)).toBe(true);
  });

  it('is deterministic and runs calls one at a time', async () => {
    const img = await sceneRgb224();
    const [a, b] = await Promise.all([rt.run(img), rt.run(img)]);
    expect(a.get('feature_pool')).toEqual(b.get('feature_pool'));
  });

  it('rejects an input of the wrong length or element type, naming the model', async () => {
    await expectModelError(rt.run(new Uint8Array(100)), /poc-object/, /needs 150528 values/, /got 100/);
    await expectModelError(rt.run(new Float32Array(150528)), /poc-object/, /uint8; got a Float32Array/);
  });

  it('leaves no Node shims behind on globalThis', () => {
    for (const k of ['importScripts', 'Module', '__dirname', 'self']) expect(k in globalThis).toBe(false);
  });
});

describe.skipIf(!clsModel)("the prototype's classification model (LiteRT.js)", () => {
  it('outputs a softmax that sums to ~1 (int8 softmax: steps of 1/256)', async () => {
    const rt = await loadModelRuntime(clsModel as string, { modelName: 'poc-cls' });
    const p = (await rt.run(await sceneRgb224())).get('dense_1') as Float32Array;
    rt.dispose();
    expect(p.length).toBe(5);
    expect(Math.abs(p.reduce((a, b) => a + b, 0) - 1)).toBeLessThanOrEqual(5 / 256);
  });

  it('exposes the int8 GAP layer as a float feature output without changing the softmax', async () => {
    const img = await sceneRgb224();
    const plain = await loadModelRuntime(clsModel as string, { modelName: 'poc-cls' });
    const gapName = 'model/global_average_pooling2d/Mean';
    const withGap = await loadModelRuntime(clsModel as string, { modelName: 'poc-cls', featureTensor: gapName });
    const a = await plain.run(img);
    const b = await withGap.run(img);
    plain.dispose();
    withGap.dispose();
    expect(withGap.featureTensor).toBe(gapName);
    expect(withGap.outputs.map((o) => o.name)).toEqual(['dense_1', gapName]);
    expect(b.get('dense_1')).toEqual(a.get('dense_1'));
    const gap = b.get(gapName) as Float32Array;
    expect(gap.length).toBe(1280);
    // Dequantised int8 values: multiples of the scale 0.019962 above the zero point −128.
    const q = gap.map((v) => v / 0.019961541518568993);
    expect(q.every((v) => Math.abs(v - Math.round(v)) < 1e-3 && v >= 0)).toBe(true);
  });

  it('fails on an unknown feature tensor, listing the outputs', async () => {
    await expectModelError(
      loadModelRuntime(clsModel as string, { modelName: 'poc-cls', featureTensor: 'nope' }),
      /poc-cls/,
      /feature tensor "nope"/,
      /dense_1/,
    );
  });

  it('refuses int8 graph inputs and outputs, which LiteRT.js cannot feed or read', async () => {
    const patched = (edit: (r: FlatbufferReader, subgraph: number) => void): Uint8Array => {
      const bytes = new Uint8Array(fs.readFileSync(clsModel as string));
      const r = new FlatbufferReader(bytes);
      edit(r, r.tableVector(r.rootTable(), F.model.subgraphs)[0] as number);
      return bytes;
    };
    const int8Input = patched((r, sg) => {
      const input = r.tableVector(sg, F.subgraph.tensors)[0] as number;
      r.view.setInt8(r.fieldPos(input, F.tensor.type) as number, 9); // TensorType.INT8
    });
    await expectModelError(
      loadModelRuntime(int8Input, { modelName: 'i8-in' }),
      /i8-in/,
      /input "serving_default_input_1:0" is INT8/,
    );
    const int8Output = patched((r, sg) => {
      const outputs = r.refField(sg, F.subgraph.outputs) as number;
      r.view.setInt32(outputs + 4, 178, true); // the int8 GAP tensor becomes the graph output
    });
    await expectModelError(
      loadModelRuntime(int8Output, { modelName: 'i8-out' }),
      /i8-out/,
      /output "model\/global_average_pooling2d\/Mean" is INT8 and cannot be read/,
    );
  });

  it('fails with the op named when the model uses an op LiteRT does not have', async () => {
    const bytes = new Uint8Array(fs.readFileSync(clsModel as string));
    const r = new FlatbufferReader(bytes);
    const opcode = r.tableVector(r.rootTable(), F.model.operatorCodes)[1] as number; // CONV_2D
    bytes[r.fieldPos(opcode, F.operatorCode.deprecatedBuiltinCode) as number] = 127;
    r.view.setInt32(r.fieldPos(opcode, F.operatorCode.builtinCode) as number, 250, true);
    await expectModelError(loadModelRuntime(bytes, { modelName: 'bad-op' }), /bad-op/, /LiteRT could not load/, /250/);
  });
});

describe('corrupt and truncated model files', () => {
  it('rejects bytes that are not a TFLite flatbuffer', async () => {
    const junk = new Uint8Array(4096).map((_, i) => (i * 31) % 256);
    await expectModelError(
      loadModelRuntime(junk, { modelName: 'junk' }),
      /model "junk"/,
      /not a valid TFLite file/,
      /TFL3/,
    );
  });

  it('rejects a missing file', async () => {
    await expectModelError(loadModelRuntime('/nonexistent/model.tflite', { modelName: 'gone' }), /gone/, /cannot read/);
  });

  it.skipIf(!clsModel)('rejects a truncated model', async () => {
    const bytes = new Uint8Array(fs.readFileSync(clsModel as string)).subarray(0, 100_000);
    await expectModelError(loadModelRuntime(bytes, { modelName: 'cut' }), /model "cut"/, /(truncated|could not load)/);
  });
});
