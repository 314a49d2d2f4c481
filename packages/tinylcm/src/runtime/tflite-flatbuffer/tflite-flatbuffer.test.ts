import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { referenceArtifact } from '../../internal/test-paths.js';
import { addFloatOutputs } from './add-float-outputs.js';
import { fixDynamicBatch } from './fix-dynamic-batch.js';
import { readTfliteModel, TfliteFormatError } from './read-tflite-model.js';

const clsModel = referenceArtifact('scenario0/model_classification.tflite');
const load = () => new Uint8Array(fs.readFileSync(clsModel as string));

describe('readTfliteModel', () => {
  it('rejects bytes without the TFL3 identifier and tiny files', () => {
    expect(() => readTfliteModel(new Uint8Array(64))).toThrow(TfliteFormatError);
    expect(() => readTfliteModel(new Uint8Array(3))).toThrow(/only 3 bytes/);
  });

  it.skipIf(!clsModel)('reads tensors, ops, quantisation and the signature of the classification model', () => {
    const m = readTfliteModel(load());
    expect(m.tensors).toHaveLength(183);
    expect(m.operators).toHaveLength(72);
    const input = m.tensors[m.inputs[0] as number];
    expect(input).toMatchObject({ dtype: 'uint8', shape: [1, 224, 224, 3], shapeSignature: [-1, 224, 224, 3] });
    expect(input?.quantization?.scale[0]).toBeCloseTo(1 / 255, 6);
    expect(m.signatureOutputs.get(m.outputs[0] as number)).toBe('dense_1');
    expect(m.tensors[178]).toMatchObject({
      name: 'model/global_average_pooling2d/Mean',
      dtype: 'int8',
      shape: [1, 1280],
    });
    expect(m.tensors[178]?.quantization?.zeroPoint).toEqual([-128]);
    expect(m.operators.filter((o) => o.op === 'CONV_2D')).toHaveLength(35);
  });

  it.skipIf(!clsModel)('throws TfliteFormatError, not garbage, on a truncated file', () => {
    expect(() => readTfliteModel(load().subarray(0, 20_000))).toThrow(/corrupt or truncated flatbuffer/);
  });
});

describe.skipIf(!clsModel)('flatbuffer patches', () => {
  it('fixDynamicBatch replaces every -1 of the shape signatures, in place, once', () => {
    const bytes = load();
    expect(fixDynamicBatch(bytes)).toBe(73);
    expect(fixDynamicBatch(bytes)).toBe(0);
    expect(readTfliteModel(bytes).tensors.every((t) => !t.shapeSignature.includes(-1))).toBe(true);
  });

  it('addFloatOutputs appends a float tensor, a DEQUANTIZE op and the outputs, leaving the input untouched', () => {
    const bytes = load();
    const copy = bytes.slice();
    const out = addFloatOutputs(bytes, [{ tensor: 179, name: 'dense_features' }]);
    expect(Buffer.compare(bytes, copy)).toBe(0); // (toEqual on 2.8 MB arrays takes ~30 s)
    expect((out.length - bytes.length) % 16).toBe(0); // old objects keep their 16-byte alignment
    const m = readTfliteModel(out);
    expect(m.tensors).toHaveLength(184);
    expect(m.tensors[183]).toMatchObject({ dtype: 'float32', shape: [1, 128], name: 'dense_features_dequantized' });
    expect(m.operators.at(-1)).toMatchObject({ op: 'DEQUANTIZE', inputs: [179], outputs: [183] });
    expect(m.outputs).toEqual([182, 183]);
    expect([...m.signatureOutputs]).toEqual([
      [182, 'dense_1'],
      [183, 'dense_features'],
    ]);
  });
});
