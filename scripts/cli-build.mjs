#!/usr/bin/env node
// @ts-check
/**
 * Compiles the three CLIs (tinylcm-device, tinysphere, fleet-sim) to plain ES modules in
 * `apps/<app>/dist/`, so no TypeScript loader runs at start. Our workspace TypeScript is bundled;
 * npm packages stay imports (installed by npm, licences intact). Plain JavaScript because the
 * launchers (`apps/<app>/bin/*.mjs`) import it before anything is compiled.
 *
 * `node scripts/cli-build.mjs [device|tinysphere|fleet-sim …]` builds (default: all three);
 * the launchers call {@link ensureFreshCli}, which rebuilds only when a source is newer.
 */
import {
  existsSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SELF = path.relative(REPO_ROOT, fileURLToPath(import.meta.url));

/** @typedef {{ dir: string, entries: Record<string, string> }} CliApp */
/** @type {Record<string, CliApp>} each app's output names and their TypeScript entry points */
export const CLI_APPS = {
  device: { dir: 'apps/device', entries: { 'tinylcm-device': 'src/cli.ts' } },
  tinysphere: { dir: 'apps/tinysphere', entries: { tinysphere: 'src/cli.ts' } },
  'fleet-sim': { dir: 'apps/fleet-sim', entries: { 'fleet-sim': 'src/cli.ts', demo: 'src/demo/demo-cli.ts' } },
};

/** @param {string} app @returns {CliApp} */
function appSpec(app) {
  const spec = CLI_APPS[app];
  if (!spec) throw new Error(`unknown CLI app "${app}" (expected one of ${Object.keys(CLI_APPS).join(', ')})`);
  return spec;
}

/** Which sources went into an app's build, and when it started (`dist/build-inputs.json`). */
const stampFile = (/** @type {string} */ app) => path.join(REPO_ROOT, appSpec(app).dir, 'dist/build-inputs.json');

/**
 * Builds one app's CLI bundles and writes them atomically (temp file + rename), so a process
 * starting meanwhile loads either the old or the new bundle, never half of one. With
 * `{ write: false }` it only reports what the build contains.
 * @example
 * const { externals } = await buildCli('device');
 * @param {string} app
 * @param {{ write?: boolean }} [options]
 * @returns {Promise<{ inputs: string[], externals: Map<string, string[]>, metafile: import('esbuild').Metafile }>}
 */
export async function buildCli(app, { write = true } = {}) {
  const spec = appSpec(app);
  const { build } = await import('esbuild');
  const startedAt = Date.now();
  const outdir = path.join(REPO_ROOT, spec.dir, 'dist');
  const entryPoints = Object.fromEntries(
    Object.entries(spec.entries).map(([name, src]) => [name, path.join(REPO_ROOT, spec.dir, src)]),
  );
  const result = await build({
    absWorkingDir: REPO_ROOT,
    entryPoints,
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true, // code behind `await import()` loads only when used: `--help` stays fast
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    metafile: true,
    write: false,
    logLevel: 'warning',
    plugins: [workspaceOnly(outdir)],
  });
  const { metafile } = result;
  const report = { inputs: Object.keys(metafile.inputs), externals: externalImports(metafile), metafile };
  if (!write) return report;
  await mkdir(outdir, { recursive: true });
  // Chunks first (their names carry a content hash, so they never replace a file in use), entries last.
  const entries = new Set(Object.keys(entryPoints).map((n) => path.join(outdir, `${n}.mjs`)));
  const isEntry = (/** @type {string} */ f) => entries.has(f.replace(/\.map$/, ''));
  const files = [...result.outputFiles].sort((a, b) => Number(isEntry(a.path)) - Number(isEntry(b.path)));
  for (const file of files) atomicWrite(file.path, file.contents);
  removeOldChunks(outdir, new Set(files.map((f) => f.path)));
  atomicWrite(stampFile(app), JSON.stringify({ startedAt, inputs: [...report.inputs, SELF] }, null, 1));
  return report;
}

/**
 * Rebuilds `app` when its bundle is missing or any source it was built from changed since
 * (modification time after the build started). Cheap: one stat per input, no esbuild load.
 * @example
 * await ensureFreshCli('tinysphere');
 * @param {string} app
 */
export async function ensureFreshCli(app) {
  const changed = staleInput(app);
  if (changed === undefined) return;
  if (
    !(await import('esbuild').then(
      () => true,
      () => false,
    ))
  ) {
    // An install without dev dependencies: run what was built, or say how to build it.
    const { dir } = appSpec(app);
    if (!changed.startsWith(`${dir}/dist/`)) return;
    const hint = 'esbuild (a dev dependency) is not installed: run `npm run build` in a full install';
    throw new Error(`${changed} is missing and ${hint}`);
  }
  if (process.stderr.isTTY) process.stderr.write(`(compiling ${app}: ${changed} changed)\n`);
  await buildCli(app);
}

/** @param {string} app @returns {string | undefined} the first changed input, if any */
function staleInput(app) {
  const { dir, entries } = appSpec(app);
  const outputs = Object.keys(entries).map((n) => path.join(dir, 'dist', `${n}.mjs`));
  const missing = outputs.find((o) => !existsSync(path.join(REPO_ROOT, o)));
  if (missing) return missing;
  /** @type {{ startedAt: number, inputs: string[] }} */
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(stampFile(app), 'utf8'));
  } catch {
    return 'build-inputs.json';
  }
  for (const input of stamp.inputs) {
    try {
      if (statSync(path.join(REPO_ROOT, input)).mtimeMs > stamp.startedAt) return input;
    } catch {
      return input; // deleted or renamed
    }
  }
  return undefined;
}

/**
 * Deletes chunks of earlier builds once they are a day old: a process started before a rebuild
 * may still load one of its chunks later.
 * @param {string} dir @param {Set<string>} keep
 */
function removeOldChunks(dir, keep) {
  const dayAgo = Date.now() - 24 * 3600 * 1000;
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    if (!/\.mjs(\.map)?$/.test(name) || keep.has(file)) continue;
    if (statSync(file).mtimeMs < dayAgo) rmSync(file, { force: true });
  }
}

/** @param {string} file @param {string | Uint8Array} data */
function atomicWrite(file, data) {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

/**
 * Bundles our workspace packages, leaves every npm package an import, and gives each bundled
 * module its own `import.meta.url` (files found next to a source — the dataset sample, the
 * dashboard build, SQL migrations — are still found from the bundle). npm packages must resolve
 * from the bundle's folder exactly as from the importing source, or the bundle would load another copy.
 * @param {string} outdir
 * @returns {import('esbuild').Plugin}
 */
function workspaceOnly(outdir) {
  const fromOutdir = new Map();
  return {
    name: 'tinymlops-workspace-only',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.path.startsWith('@tinymlops/')) return undefined;
        if (args.path.startsWith('node:')) return { external: true };
        const name = packageName(args.path);
        if (!fromOutdir.has(name)) fromOutdir.set(name, packageDir(outdir, name));
        const here = packageDir(args.resolveDir, name);
        if (here && here !== fromOutdir.get(name)) {
          const where = path.relative(REPO_ROOT, here);
          return { errors: [{ text: `${name} is installed at ${where}, which the bundle in ${outdir} cannot see` }] };
        }
        return { path: args.path, external: true };
      });
      b.onLoad({ filter: /\.[cm]?[jt]s$/ }, async (args) => {
        if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        const source = await readFile(args.path, 'utf8');
        if (!source.includes('import.meta.url')) return undefined;
        const rel = path.relative(outdir, args.path).split(path.sep).join('/');
        const own = `new URL(${JSON.stringify(rel)}, import.meta.url).href`;
        return {
          contents: source.replaceAll('import.meta.url', own),
          loader: /\.[cm]?ts$/.test(args.path) ? 'ts' : 'js',
        };
      });
    },
  };
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. @param {string} spec */
export function packageName(spec) {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? spec);
}

/** Node's lookup: the nearest `node_modules/<name>` above `dir`. @param {string} dir @param {string} name */
function packageDir(dir, name) {
  for (let d = dir; ; d = path.dirname(d)) {
    const candidate = path.join(d, 'node_modules', name);
    if (existsSync(candidate)) return realpathSync(candidate);
    if (path.dirname(d) === d) return undefined;
  }
}

/**
 * npm packages the bundles import, each with the source files that import it.
 * @param {import('esbuild').Metafile} metafile
 */
function externalImports(metafile) {
  /** @type {Map<string, string[]>} */
  const out = new Map();
  for (const [file, input] of Object.entries(metafile.inputs)) {
    for (const imp of input.imports) {
      if (!imp.external || imp.path.startsWith('node:')) continue;
      const name = packageName(imp.path);
      out.set(name, [...(out.get(name) ?? []), file]);
    }
  }
  return out;
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const apps = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(CLI_APPS);
  for (const app of apps) {
    const t = performance.now();
    const { inputs } = await buildCli(app);
    console.log(`built ${app}: ${inputs.length} sources in ${Math.round(performance.now() - t)} ms`);
  }
}
