import { describe, expect, it } from 'vitest';
import { TinyMLOpsError } from '@tinymlops/contracts';
import { hasOnnxRuntimeNode } from '../internal/test-paths.js';
import { loadModelRuntime } from './model-runtime.js';

const hasOrt = hasOnnxRuntimeNode();

// A minimal protobuf writer, enough to hand-build a two-node ONNX graph without any tooling.
const varint = (n: number): number[] => {
  const out: number[] = [];
  for (; n > 127; n = Math.floor(n / 128)) out.push((n % 128) | 128);
  return [...out, n];
};
const bytesField = (num: number, b: number[]): number[] => [...varint((num << 3) | 2), ...varint(b.length), ...b];
const str = (num: number, s: string): number[] => bytesField(num, [...Buffer.from(s)]);
const int = (num: number, v: number): number[] => [...varint(num << 3), ...varint(v)];
const valueInfo = (name: string, elemType: number, dims: number[]): number[] => {
  const shape = dims.flatMap((d) => bytesField(1, int(1, d)));
  return [...str(1, name), ...bytesField(2, bytesField(1, [...int(1, elemType), ...bytesField(2, shape)]))];
};

/** `features = float(x) * 0.5` for a uint8 [1,4] input `x` (ONNX IR 8, opset 13). */
function halfModel(): Uint8Array {
  const cast = [
    ...str(1, 'x'),
    ...str(2, 'xf'),
    ...str(4, 'Cast'),
    ...bytesField(5, [...str(1, 'to'), ...int(3, 1), ...int(20, 2)]),
  ];
  const mul = [...str(1, 'xf'), ...str(1, 'half'), ...str(2, 'features'), ...str(4, 'Mul')];
  const half = [...int(2, 1), ...bytesField(4, [...Buffer.from(Float32Array.of(0.5).buffer)]), ...str(8, 'half')];
  const graph = [
    ...bytesField(1, cast),
    ...bytesField(1, mul),
    ...str(2, 'g'),
    ...bytesField(5, half),
    ...bytesField(11, valueInfo('x', 2, [1, 4])),
    ...bytesField(12, valueInfo('features', 1, [1, 4])),
  ];
  return Uint8Array.from([...int(1, 8), ...bytesField(8, [...str(1, ''), ...int(2, 13)]), ...bytesField(7, graph)]);
}

describe.skipIf(!hasOrt)('the onnxruntime-node backend', () => {
  it('describes the model and returns named float32 outputs', async () => {
    const rt = await loadModelRuntime(halfModel(), { modelName: 'half', backend: 'onnx' });
    expect(rt.backend).toBe('onnx');
    expect(rt.inputs).toEqual([{ name: 'x', shape: [1, 4], dtype: 'uint8' }]);
    expect(rt.featureTensor).toBe('features');
    const out = await rt.run(Uint8Array.from([0, 1, 10, 255]));
    expect([...(out.get('features') ?? [])]).toEqual([0, 0.5, 5, 127.5]);
    rt.dispose();
  });

  it('fails clearly on a wrong input, an unknown feature tensor and a corrupt file', async () => {
    const rt = await loadModelRuntime(halfModel(), { modelName: 'half', backend: 'onnx' });
    await expect(rt.run(new Uint8Array(3))).rejects.toThrow(/model "half": input "x" needs 4 values/);
    rt.dispose();
    await expect(
      loadModelRuntime(halfModel(), { modelName: 'half', backend: 'onnx', featureTensor: 'nope' }),
    ).rejects.toThrow(/feature tensor "nope" is not an output \(features\)/);
    const e = await loadModelRuntime(Uint8Array.from([1, 2, 3]), { modelName: 'junk', backend: 'onnx' }).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(TinyMLOpsError);
    expect((e as TinyMLOpsError).code).toBe('MODEL_LOAD_FAILED');
    expect((e as Error).message).toMatch(/model "junk": onnxruntime could not load the model/);
  });
});
