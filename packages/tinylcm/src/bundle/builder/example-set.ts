import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Label, TinyMLOpsError } from '@tinymlops/contracts';
import { decodeImage, type RawFrame } from '../../features/preprocess.js';
import { parseIdx } from './idx-file.js';

/** One labelled example image; decoded only when `load()` is called. */
export interface ExampleImage {
  className: string;
  /** Where it came from, for messages: a file path, or `<idx file>#<index>`. */
  source: string;
  load(): Promise<RawFrame>;
}

/** The labelled examples a bundle is built from. */
export interface ExampleSet {
  layout: 'folders' | 'idx';
  /** Every class found, sorted. */
  classes: string[];
  images: ExampleImage[];
  /** Files in class folders that are not images (skipped), for the report. */
  skipped: string[];
}

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.webp', '.gif', '.tif', '.tiff']);

const invalid = (problem: string) => new TinyMLOpsError('INVALID_OPTION', problem);

/**
 * Reads a folder of labelled examples in one of two layouts:
 * - **class folders** (like torchvision's ImageFolder): `<dir>/<class>/<image>.png|jpg|webp|…`; the
 *   folder name is the label, percent-decoded (`t-shirt%2Ftop` is the label `t-shirt/top`);
 * - **IDX** (the MNIST format): one `*images-idx3-ubyte[.gz]` and one `*labels-idx1-ubyte[.gz]`
 *   file plus `classes.txt` (line i = the name of label id i), e.g. `datasets/fashion-mnist`.
 * @example
 * const set = await readExampleSet('datasets/fashion-mnist');
 * set.classes; // ['ankle boot', 'bag', 'coat', …]
 */
export async function readExampleSet(dir: string, options: { classNames?: string } = {}): Promise<ExampleSet> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    throw invalid(`${dir}: cannot read the examples folder (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
  const idx = entries.find((e) => e.isFile() && /images-idx3-ubyte(\.gz)?$/.test(e.name));
  if (idx)
    return readIdxSet(
      dir,
      idx.name,
      entries.map((e) => e.name),
      options.classNames,
    );
  return readClassFolders(
    dir,
    entries.filter((e) => e.isDirectory()).map((e) => e.name),
  );
}

async function readClassFolders(dir: string, folders: string[]): Promise<ExampleSet> {
  if (folders.length === 0) {
    throw invalid(`${dir}: no class folders (<dir>/<class>/<image>) and no IDX files (*images-idx3-ubyte.gz)`);
  }
  const images: ExampleImage[] = [];
  const skipped: string[] = [];
  const classes: string[] = [];
  for (const folder of folders.sort()) {
    const className = folderLabel(dir, folder);
    classes.push(className);
    const files = (await readdir(path.join(dir, folder), { withFileTypes: true })).filter((f) => f.isFile());
    for (const f of files.map((x) => x.name).sort()) {
      const file = path.join(dir, folder, f);
      if (!IMAGE_EXTENSIONS.has(path.extname(f).toLowerCase())) skipped.push(file);
      else images.push({ className, source: file, load: () => decodeFile(file) });
    }
  }
  return { layout: 'folders', classes: classes.sort(), images, skipped };
}

function folderLabel(dir: string, folder: string): string {
  let label: string;
  try {
    label = decodeURIComponent(folder);
  } catch {
    throw invalid(`${path.join(dir, folder)}: the folder name is not valid percent-encoding`);
  }
  if (!Label.safeParse(label).success) throw invalid(`${path.join(dir, folder)}: "${label}" is not a usable label`);
  return label;
}

async function decodeFile(file: string): Promise<RawFrame> {
  try {
    return await decodeImage(new Uint8Array(await readFile(file)));
  } catch (e) {
    throw new TinyMLOpsError('VALIDATION_FAILED', `${file}: ${(e as Error).message}`, { cause: e });
  }
}

async function readIdxSet(dir: string, imagesFile: string, names: string[], classNames?: string): Promise<ExampleSet> {
  const labelsFile = names.find((n) => /labels-idx1-ubyte(\.gz)?$/.test(n));
  if (!labelsFile) throw invalid(`${dir}: ${imagesFile} has no *labels-idx1-ubyte[.gz] file next to it`);
  const classesFile = classNames ?? path.join(dir, 'classes.txt');
  const idToClass = await readLabelsFile(classesFile);
  const images = parseIdx(await readFile(path.join(dir, imagesFile)), path.join(dir, imagesFile));
  const labels = parseIdx(await readFile(path.join(dir, labelsFile)), path.join(dir, labelsFile));
  const [count, height, width] = images.dims;
  if (images.dims.length !== 3 || !count || !height || !width) {
    throw invalid(`${path.join(dir, imagesFile)}: expected [count, height, width], found [${images.dims.join(',')}]`);
  }
  if (labels.dims[0] !== count)
    throw invalid(`${path.join(dir, labelsFile)}: ${labels.dims[0]} labels for ${count} images`);
  const size = height * width;
  const list: ExampleImage[] = [];
  for (let i = 0; i < count; i++) {
    const id = labels.data[i] as number;
    const className = idToClass[id];
    if (className === undefined)
      throw invalid(`${path.join(dir, labelsFile)}: label id ${id} (image ${i}) has no line in ${classesFile}`);
    const data = images.data.subarray(i * size, (i + 1) * size);
    list.push({ className, source: `${imagesFile}#${i}`, load: async () => ({ data, width, height, channels: 1 }) });
  }
  return { layout: 'idx', classes: [...new Set(list.map((x) => x.className))].sort(), images: list, skipped: [] };
}

/**
 * Reads a labels file: one label per line, in class-index order; blank lines at the end are
 * ignored, duplicates and unusable labels are refused with the line number.
 * @example
 * await readLabelsFile('models/fashion-mnv2/labels.txt'); // ['t-shirt/top', 'trouser', …]
 */
export async function readLabelsFile(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw invalid(`${file}: cannot read the labels file (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
  const lines = text.replace(/\r/g, '').replace(/\n+$/, '').split('\n');
  const seen = new Set<string>();
  lines.forEach((label, i) => {
    if (!Label.safeParse(label).success) throw invalid(`${file} line ${i + 1}: "${label}" is not a usable label`);
    if (seen.has(label)) throw invalid(`${file} line ${i + 1}: duplicate label "${label}"`);
    seen.add(label);
  });
  if (lines.length === 0 || lines[0] === '') throw invalid(`${file}: the labels file is empty`);
  return lines;
}
