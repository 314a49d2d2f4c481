// @ts-check
/**
 * What a compiled CLI needs at run time, checked against what its packages declare: the rules
 * that keep test-only code and devDependencies out of a production install, and the lock file
 * of the device release (the subset of the repository's package-lock.json it uses).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './cli-build.mjs';

/** Sources that are test-only: never part of a runtime import graph. */
const TEST_ONLY = [/^packages\/testkit\//, /\.test\.tsx?$/, /\/(testing|e2e|fixtures)\//];

/** @param {string} file */
const readJson = (file) => JSON.parse(readFileSync(path.join(REPO_ROOT, file), 'utf8'));

/** The workspace folder a repository file belongs to (`packages/tinylcm`, `apps/device`). @param {string} file */
const workspaceOf = (file) => file.split('/').slice(0, 2).join('/');

/**
 * Problems of a runtime import graph: a test-only source in it, or an npm package imported by a
 * workspace that does not list it in `dependencies`/`optionalDependencies`/`peerDependencies` (a
 * devDependency is missing from `npm ci --omit=dev`). Empty when the graph is clean.
 * @example
 * const { metafile, externals } = await buildCli('device');
 * runtimeGraphProblems(Object.keys(metafile.inputs), externals); // []
 * @param {string[]} inputs repository-relative source files of the bundle
 * @param {Map<string, string[]>} externals npm package → the sources importing it
 * @returns {string[]}
 */
export function runtimeGraphProblems(inputs, externals) {
  const problems = inputs
    .filter((f) => TEST_ONLY.some((re) => re.test(f)))
    .map((f) => `${f} is test-only code but is in the runtime import graph`);
  for (const [name, importers] of externals) {
    for (const workspace of new Set(importers.map(workspaceOf))) {
      const pkg = readJson(`${workspace}/package.json`);
      const declared = { ...pkg.dependencies, ...pkg.optionalDependencies, ...pkg.peerDependencies };
      if (name in declared) continue;
      const where = pkg.devDependencies?.[name] ? 'only in devDependencies' : 'not declared';
      const importer = importers.find((f) => workspaceOf(f) === workspace);
      problems.push(`${name} is imported by ${importer} but is ${where} of ${workspace}`);
    }
  }
  return problems;
}

/**
 * The exact versions the repository's lock file installs, for the given npm packages.
 * @example
 * lockedVersions(['zod']); // { zod: '4.6.7' }
 * @param {Iterable<string>} names
 * @returns {Record<string, string>}
 */
export function lockedVersions(names) {
  const { packages } = readJson('package-lock.json');
  /** @type {Record<string, string>} */
  const out = {};
  for (const name of [...names].sort()) {
    const entry = packages[`node_modules/${name}`];
    if (!entry?.version) throw new Error(`${name} is not installed at node_modules/${name} in package-lock.json`);
    out[name] = entry.version;
  }
  return out;
}

/**
 * A lock file (`npm-shrinkwrap.json`) for a package with these dependencies, cut out of the
 * repository's package-lock.json: a release installs exactly the versions CI tested. Packages
 * reached only through optional edges (sharp's per-platform binaries) stay optional, so npm
 * skips the ones for other CPUs.
 * @example
 * const lock = shrinkwrapFor({ name: 'tinylcm-device', version: '0.1.0', dependencies: { zod: '4.6.7' } });
 * @param {{ name: string, version: string, dependencies: Record<string, string> }} root
 */
export function shrinkwrapFor(root) {
  const { packages } = readJson('package-lock.json');
  /** Node's lookup in the lock's tree: the nearest `node_modules/<name>` above `from`. */
  const locate = (/** @type {string} */ from, /** @type {string} */ name) => {
    for (let dir = from; ; dir = dir.replace(/\/?node_modules\/(@[^/]+\/)?[^/]+$/, '')) {
      const key = `${dir ? `${dir}/` : ''}node_modules/${name}`;
      if (packages[key]) return key;
      if (!dir) return undefined;
    }
  };
  const required = reach(packages, locate, Object.keys(root.dependencies), false);
  const all = reach(packages, locate, Object.keys(root.dependencies), true);
  /** @type {Record<string, object>} */
  const entries = { '': { ...root } };
  for (const key of [...all].sort()) {
    const { dev, devOptional, optional, peer, extraneous, ...entry } = packages[key];
    void [dev, devOptional, optional, peer, extraneous];
    entries[key] = required.has(key) ? entry : { ...entry, optional: true };
  }
  return { name: root.name, version: root.version, lockfileVersion: 3, requires: true, packages: entries };
}

/**
 * Lock-file keys reachable from the root's dependencies; through optional edges too if `optional`.
 * @param {Record<string, any>} packages
 * @param {(from: string, name: string) => string | undefined} locate
 * @param {string[]} rootDeps
 * @param {boolean} optional
 */
function reach(packages, locate, rootDeps, optional) {
  const seen = new Set();
  const queue = rootDeps.map((name) => ({ from: '', name, optional: false }));
  for (let item = queue.shift(); item; item = queue.shift()) {
    const key = locate(item.from, item.name);
    if (!key && item.optional) continue;
    if (!key) throw new Error(`${item.name} (needed by ${item.from || 'the release'}) is not in package-lock.json`);
    if (seen.has(key)) continue;
    seen.add(key);
    const e = packages[key];
    const peers = Object.keys(e.peerDependencies ?? {}).filter((p) => !e.peerDependenciesMeta?.[p]?.optional);
    for (const name of [...Object.keys(e.dependencies ?? {}), ...peers])
      queue.push({ from: key, name, optional: false });
    if (!optional) continue;
    for (const name of Object.keys(e.optionalDependencies ?? {})) queue.push({ from: key, name, optional: true });
  }
  return seen;
}

/**
 * npm packages a compiled CLI loads before it runs any command (`--help`): the externals of the
 * chunks its entry imports statically. Code behind `await import()` is not counted — that is the
 * point: a package with hundreds of modules (kysely, zod) costs start-up time on every call.
 * @example
 * const { metafile } = await buildCli('tinysphere', { write: false });
 * startupPackages(metafile, 'tinysphere'); // ['commander']
 * @param {import('esbuild').Metafile} metafile
 * @param {string} entry the entry's output name (`tinysphere` for `dist/tinysphere.mjs`)
 * @returns {string[]} sorted, without `node:` built-ins
 */
export function startupPackages(metafile, entry) {
  const outputs = metafile.outputs;
  const output = (/** @type {string} */ o) => /** @type {import('esbuild').Metafile['outputs'][string]} */ (outputs[o]);
  const start = Object.keys(outputs).find((o) => output(o).entryPoint && path.basename(o) === `${entry}.mjs`);
  if (!start) throw new Error(`no entry ${entry}.mjs in the build`);
  const seen = new Set();
  const packages = new Set();
  for (const queue = [start]; queue.length > 0;) {
    const out = /** @type {string} */ (queue.pop());
    if (seen.has(out)) continue;
    seen.add(out);
    for (const imp of output(out).imports) {
      if (imp.kind !== 'import-statement') continue;
      if (!imp.external) queue.push(imp.path);
      else if (!imp.path.startsWith('node:')) packages.add(imp.path);
    }
  }
  return [...packages].sort();
}
