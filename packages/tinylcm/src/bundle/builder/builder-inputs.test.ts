import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitExamples } from './class-split.js';
import { readExampleSet, readLabelsFile } from './example-set.js';
import { parseIdx } from './idx-file.js';
import { inspectTfliteModel } from './model-inspection.js';

const MODEL = fileURLToPath(new URL('../../../../../models/fashion-mnv2/model.tflite', import.meta.url));
const DATASET = fileURLToPath(new URL('../../../../../datasets/fashion-mnist', import.meta.url));

describe('bundle builder inputs', () => {
  let dir: string;
  beforeAll(async () => (dir = await mkdtemp(path.join(tmpdir(), 'builder-inputs-'))));
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.skipIf(!existsSync(MODEL))('reads input spec and feature tensor from the project model', async () => {
    const m = inspectTfliteModel(new Uint8Array(await readFile(MODEL)), { file: 'model.tflite' });
    expect(m.input).toMatchObject({ name: 'image', shape: [1, 112, 112, 3], dtype: 'uint8', grayscaleToRgb: true });
    expect(m.input.normalization).toEqual({ scale: 1, offset: 0 });
    expect(m.featureTensor).toEqual({ name: 'feature_pool', dim: 1280 });
    const bytes = new Uint8Array(await readFile(MODEL));
    expect(() => inspectTfliteModel(bytes, { file: 'm.tflite', featureTensor: 'nope' })).toThrow(
      /m\.tflite: no output or tensor is named "nope" \(outputs: feature_pool \[1,1280\] float32\)/,
    );
    expect(() => inspectTfliteModel(bytes, { file: 'm.tflite', normalization: '-1..1' })).toThrow(/uint8.*raw/);
  });

  it('names the file and the problem for a file that is not a model', () => {
    expect(() => inspectTfliteModel(new Uint8Array(100), { file: 'weights.bin' })).toThrow(
      /^weights\.bin: not a TFLite model/,
    );
  });

  it('reads labels files and refuses duplicates and empty lines with the line number', async () => {
    await writeFile(path.join(dir, 'ok.txt'), 'cat\ndog\n\n');
    expect(await readLabelsFile(path.join(dir, 'ok.txt'))).toEqual(['cat', 'dog']);
    await writeFile(path.join(dir, 'dup.txt'), 'cat\ndog\ncat\n');
    await expect(readLabelsFile(path.join(dir, 'dup.txt'))).rejects.toThrow(/dup\.txt line 3: duplicate label "cat"/);
    await writeFile(path.join(dir, 'gap.txt'), 'cat\n\ndog\n');
    await expect(readLabelsFile(path.join(dir, 'gap.txt'))).rejects.toThrow(/gap\.txt line 2/);
    await expect(readLabelsFile(path.join(dir, 'missing.txt'))).rejects.toThrow(/missing\.txt: cannot read/);
  });

  it('reads class folders (percent-decoded names), skips non-images, and reports undecodable images by file', async () => {
    const ex = path.join(dir, 'examples');
    await mkdir(path.join(ex, 't-shirt%2Ftop'), { recursive: true });
    await mkdir(path.join(ex, 'bag'), { recursive: true });
    await writeFile(path.join(ex, 't-shirt%2Ftop', 'a.png'), Buffer.from('not a png'));
    await writeFile(path.join(ex, 'bag', 'notes.txt'), 'hello');
    const set = await readExampleSet(ex);
    expect(set).toMatchObject({ layout: 'folders', classes: ['bag', 't-shirt/top'] });
    expect(set.skipped).toEqual([path.join(ex, 'bag', 'notes.txt')]);
    await expect(set.images[0]?.load()).rejects.toThrow(`${path.join(ex, 't-shirt%2Ftop', 'a.png')}: bad frame`);
    await expect(readExampleSet(path.join(dir, 'nowhere'))).rejects.toThrow(/cannot read the examples folder/);
  });

  it('reads the committed IDX sample with classes.txt and splits it per class, reproducibly', async () => {
    const set = await readExampleSet(DATASET);
    expect(set.layout).toBe('idx');
    expect(set.images).toHaveLength(2000);
    const labels = ['coat', 'dress'];
    const o = { knnPerClass: 10, fitPerClass: 50, holdout: 0.1, holdoutPerClass: 15, seed: 3 };
    const a = splitExamples(set, labels, o);
    expect(a).toMatchObject({ unknownClasses: expect.arrayContaining(['bag', 'trouser']) });
    expect([a.fit.length, a.knn.length, a.holdout.length]).toEqual([100, 20, 30]);
    expect(splitExamples(set, labels, o).knn.map((x) => x.source)).toEqual(a.knn.map((x) => x.source));
    expect(() => splitExamples(set, ['coat', 'zebra'], o)).toThrow(/class "zebra" has 0 example images/);
  });

  it('parses IDX files and names the file for a bad one', () => {
    const good = Buffer.from([0, 0, 8, 1, 0, 0, 0, 2, 7, 9]);
    expect(parseIdx(good, 'l.idx')).toMatchObject({ dims: [2], data: Uint8Array.of(7, 9) });
    expect(() => parseIdx(Buffer.from([0, 0, 8, 1, 0, 0, 0, 3, 7]), 'l.idx')).toThrow(/l\.idx: expected 3 bytes/);
    expect(() => parseIdx(Buffer.from([1, 2, 3, 4]), 'x.idx')).toThrow(/x\.idx: not an IDX file/);
  });
});
