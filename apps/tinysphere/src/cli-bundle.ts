import { createPrivateKey } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { int } from './cli-options.js';
import { StageProgress } from './cli-progress.js';

const fraction = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n >= 1) throw new InvalidArgumentError(`${name} must be a number in [0, 1)`);
  return n;
};

const normalization = (v: string) => {
  if (v === '0..1' || v === '-1..1' || v === 'raw') return v;
  const [scale, offset] = v.split(',').map(Number);
  if (scale === undefined || offset === undefined || !Number.isFinite(scale) || !Number.isFinite(offset))
    throw new InvalidArgumentError('--normalization must be 0..1, -1..1, raw or <scale>,<offset>');
  return { scale, offset };
};

/** A usage error, as the CLI prints it (contracts load only when a command runs: a fast --help). */
async function usage(code: 'INVALID_OPTION' | 'CONFLICT', message: string): Promise<Error> {
  const { TinyMLOpsError } = await import('@tinymlops/contracts');
  return new TinyMLOpsError(code, message);
}

async function readKey(file: string, what: 'private' | 'public'): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw await usage('INVALID_OPTION', `${file}: cannot read the ${what} key (${(e as NodeJS.ErrnoException).code})`);
  }
}

/**
 * Adds `tinysphere bundle …`: build a bundle from a model, labels and example images; make an
 * ed25519 key pair; sign and verify a bundle. Heavy modules load only when a command runs, so
 * `--help` stays fast.
 * @example
 * addBundleCommands(new Command('tinysphere'));
 */
export function addBundleCommands(program: Command): Command {
  const bundle = program.command('bundle').description('build, sign and verify model bundles (no server needed)');
  bundle
    .command('build')
    .description('build a bundle from a .tflite model, its labels and a folder of labelled example images')
    .requiredOption('--model <file>', '.tflite feature extractor (uint8 or float32 image input)')
    .requiredOption('--labels <file>', 'labels.txt: one known class per line')
    .requiredOption(
      '--examples <dir>',
      'labelled examples: <dir>/<class>/<image> (folder names percent-decoded), or IDX files + classes.txt',
    )
    .requiredOption('--out <dir>', 'the bundle folder to write')
    .requiredOption('--id <id>', 'model id (lower-case, like fashion-mnv2)')
    .option('--version <version>', 'bundle version', '1.0.0')
    .option('--description <text>', 'free text stored in bundle.json')
    .option('--onnx <file>', 'ONNX export of the same model, shipped as model.onnx')
    .option('--feature-tensor <name>', 'output (or any tensor) holding the features; default: the only output')
    .option('--normalization <n>', 'float32 inputs: 0..1, -1..1, raw or <scale>,<offset>', normalization)
    .option('--bgr', 'the model takes BGR channel order')
    .option('--class-names <file>', 'IDX examples: class names by label id (default <examples>/classes.txt)')
    .option('--knn-per-class <n>', 'KNN samples per class', int('--knn-per-class'), 25)
    .option(
      '--fit-per-class <n>',
      'images per class the scaler and PCA are fitted on (at most)',
      int('--fit-per-class'),
      400,
    )
    .option(
      '--holdout <fraction>',
      'share of each class held out for the detector reference',
      fraction('--holdout'),
      0.2,
    )
    .option('--holdout-per-class <n>', 'held-out images per class (at most)', int('--holdout-per-class'), 125)
    .option(
      '--pca <n>',
      'PCA components after the scaler (0: scaler only); default min(256, feature dim)',
      int('--pca'),
    )
    .option('--no-transform', 'no scaler and no PCA: the KNN works on raw features')
    .option('--k <n>', 'neighbours per prediction', int('--k'), 5)
    .option('--seed <n>', 'seed of the per-class shuffle', int('--seed'), 0)
    .option('--sign-key <file>', 'ed25519 private key (PEM) to sign bundle.json with (see `bundle keygen`)')
    .option('--key-id <id>', 'the key id recorded in the signature (with --sign-key)')
    .option('--force', 'overwrite a non-empty --out folder')
    .action(async (o) => {
      if (o.signKey && !o.keyId) throw await usage('INVALID_OPTION', '--sign-key needs --key-id');
      const { buildBundle } = await import('@tinymlops/tinylcm');
      const progress = new StageProgress();
      const sign = o.signKey
        ? { privateKey: createPrivateKey(await readKey(o.signKey, 'private')), keyId: o.keyId }
        : undefined;
      const { manifest, report } = await buildBundle({
        modelFile: o.model,
        labelsFile: o.labels,
        examplesDir: o.examples,
        outDir: o.out,
        id: o.id,
        version: o.version,
        ...(o.description ? { description: o.description } : {}),
        ...(o.onnx ? { onnxFile: o.onnx } : {}),
        ...(o.featureTensor ? { featureTensor: o.featureTensor } : {}),
        ...(o.normalization ? { normalization: o.normalization } : {}),
        ...(o.bgr ? { colorOrder: 'bgr' as const } : {}),
        ...(o.classNames ? { classNamesFile: o.classNames } : {}),
        knnPerClass: o.knnPerClass,
        fitPerClass: o.fitPerClass,
        holdout: o.holdout,
        holdoutPerClass: o.holdoutPerClass,
        pca: o.transform === false ? false : (o.pca ?? undefined),
        k: o.k,
        seed: o.seed,
        ...(sign ? { sign } : {}),
        overwrite: o.force === true,
        onProgress: (p) => progress.report(p.stage, p.done, p.total),
      });
      progress.finish();
      console.log(
        JSON.stringify({
          bundle: o.out,
          id: manifest.id,
          version: manifest.version,
          labels: manifest.labels.length,
          heldOutLabels: manifest.heldOutLabels ?? [],
          split: report.split,
          holdoutAccuracy: report.holdoutAccuracy,
          signedBy: manifest.signature?.keyId ?? null,
        }),
      );
    });
  addSigningCommands(bundle);
  return program;
}

function addSigningCommands(bundle: Command): void {
  bundle
    .command('keygen')
    .description('make an ed25519 key pair: <out-dir>/<key-id>.private.pem (mode 600) and .public.pem')
    .requiredOption('--key-id <id>', 'name of the key, recorded in every signature it makes')
    .option('--out-dir <dir>', 'where to write the two files', '.')
    .action(async (o: { keyId: string; outDir: string }) => {
      const { generateBundleKeyPair } = await import('@tinymlops/tinylcm');
      const keys = generateBundleKeyPair();
      await mkdir(o.outDir, { recursive: true });
      const privateFile = path.join(o.outDir, `${o.keyId}.private.pem`);
      const publicFile = path.join(o.outDir, `${o.keyId}.public.pem`);
      try {
        await writeFile(privateFile, keys.privateKeyPem, { mode: 0o600, flag: 'wx' });
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw await usage(
          'CONFLICT',
          `${privateFile}: ${code === 'EEXIST' ? 'exists already; not overwritten' : (e as Error).message}`,
        );
      }
      await writeFile(publicFile, keys.publicKeyPem);
      console.log(
        JSON.stringify({
          keyId: o.keyId,
          privateKey: privateFile,
          publicKey: publicFile,
          trustedKeys: { [o.keyId]: keys.publicKeyPem },
        }),
      );
    });
  bundle
    .command('sign')
    .description("sign a bundle folder's bundle.json with an ed25519 private key (replaces an older signature)")
    .argument('<dir>', 'bundle folder')
    .requiredOption('--key <file>', 'private key (PEM)')
    .requiredOption('--key-id <id>', 'the key id recorded in the signature')
    .action(async (dir: string, o: { key: string; keyId: string }) => {
      const { loadBundle, signBundleManifest } = await import('@tinymlops/tinylcm');
      await loadBundle(dir); // refuses a bundle whose files do not match their hashes before signing it
      const raw = JSON.parse(await readFile(path.join(dir, 'bundle.json'), 'utf8')) as Record<string, unknown>;
      const signed = signBundleManifest(raw, createPrivateKey(await readKey(o.key, 'private')), o.keyId);
      await writeFile(path.join(dir, 'bundle.json'), `${JSON.stringify(signed, null, 2)}\n`);
      console.log(JSON.stringify({ bundle: dir, signedBy: o.keyId }));
    });
  bundle
    .command('verify')
    .description('check a bundle folder: schema, every file hash, and (with keys) its signature')
    .argument('<dir>', 'bundle folder')
    .option('--trusted-keys <file>', 'JSON file {keyId: public key PEM}; the signature must verify against it')
    .option('--public-key <file>', 'one public key (PEM), with --key-id')
    .option('--key-id <id>', 'the key id of --public-key')
    .action(async (dir: string, o: { trustedKeys?: string; publicKey?: string; keyId?: string }) => {
      if (o.publicKey && !o.keyId) throw await usage('INVALID_OPTION', '--public-key needs --key-id');
      const { loadBundle } = await import('@tinymlops/tinylcm');
      const trustedKeys = o.trustedKeys
        ? (JSON.parse(await readKey(o.trustedKeys, 'public')) as Record<string, string>)
        : o.publicKey
          ? { [o.keyId as string]: await readKey(o.publicKey, 'public') }
          : undefined;
      const b = await loadBundle(dir, trustedKeys ? { trustedKeys, requireSignature: true } : {});
      const m = b.manifest;
      console.log(
        JSON.stringify({
          bundle: dir,
          id: m.id,
          version: m.version,
          files: m.files.length,
          signedBy: b.signatureVerified ? m.signature?.keyId : null,
        }),
      );
    });
}
