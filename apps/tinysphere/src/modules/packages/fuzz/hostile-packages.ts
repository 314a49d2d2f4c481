/**
 * Generates hostile package archives for the ingest fuzzer: valid packages of every type, and
 * mutations of them at each layer a hostile device controls (gzip bytes, tar bytes and structure,
 * manifest, documents, JSON syntax, compression). Seeded: the same seed gives the same cases.
 * Test-only code.
 */
import { FuzzRng } from './fuzz-rng.js';
import { bomb, gz, hostileEntries, MANY_ENTRIES, metaTar, tarOf } from './hostile-tar.js';
import { brokenJson, mutateJson, toJsonText } from './json-mutations.js';
import { entriesOf, manifestOf, seedSpec, type Spec } from './seed-packages.js';

/** The layers the fuzzer attacks, each a share of the cases. */
export const STRATEGIES = [
  'valid',
  'gzip-bytes',
  'tar-bytes',
  'tar-structure',
  'manifest',
  'document',
  'json-syntax',
  'bomb',
] as const;
export type Strategy = (typeof STRATEGIES)[number];

/** One generated upload: what the device claims to be and the bytes it sends. */
export interface FuzzCase {
  readonly index: number;
  readonly strategy: Strategy;
  readonly deviceId: string;
  readonly packageId: string;
  readonly bytes: Buffer;
}

let manyEntriesGz: Buffer | undefined;

function flip(rng: FuzzRng, b: Buffer, count: number): Buffer {
  const out = Buffer.from(b);
  for (let i = 0; i < count && out.length > 0; i++) out[rng.int(out.length)] = rng.int(256);
  return out;
}

function build(rng: FuzzRng, strategy: Strategy, spec: Spec): Buffer {
  switch (strategy) {
    case 'valid':
      return gz(tarOf(entriesOf(spec)));
    case 'gzip-bytes': {
      const good = gz(tarOf(entriesOf(spec)));
      const cut = rng.int(3);
      if (cut === 0) return good.subarray(0, rng.int(good.length));
      if (cut === 1) return Buffer.concat([good, rng.bytes(1 + rng.int(64))]);
      return flip(rng, good, 1 + rng.int(4));
    }
    case 'tar-bytes':
      return gz(flip(rng, tarOf(entriesOf(spec)), 1 + rng.int(8)));
    case 'tar-structure': {
      if (!rng.chance(0.7)) return gz(metaTar(rng, spec));
      const entries = hostileEntries(rng, spec);
      return entries === MANY_ENTRIES ? (manyEntriesGz ??= gz(tarOf(MANY_ENTRIES))) : gz(tarOf(entries));
    }
    case 'manifest':
      return gz(tarOf(entriesOf(spec, mutateJson(rng, manifestOf(spec) as never))));
    case 'document': {
      const type = rng.pick([...spec.docs.keys()]);
      spec.docs.set(type, toJsonText(mutateJson(rng, JSON.parse(spec.docs.get(type)!))));
      return gz(tarOf(entriesOf(spec)));
    }
    case 'json-syntax': {
      const type = rng.pick([...spec.docs.keys()]);
      if (rng.chance(0.3))
        return gz(tarOf([{ name: 'manifest.json', body: Buffer.from(brokenJson(rng, '{"schemaVersion":1}')) }]));
      spec.docs.set(type, brokenJson(rng, spec.docs.get(type)!));
      return gz(tarOf(entriesOf(spec)));
    }
    case 'bomb':
      return bomb(rng, spec);
  }
}

/**
 * Cases `from` to `to` − 1 of `seed`, the strategies taking turns. Each case has a random source
 * of its own (from the seed and its index), so any one can be made again alone.
 * @example
 * for (const c of hostilePackages(1, 0, 1000)) await attempt(c);
 */
export function* hostilePackages(seed: number, from: number, to: number): Generator<FuzzCase> {
  for (let index = from; index < to; index++) {
    const rng = new FuzzRng((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
    const strategy = STRATEGIES[index % STRATEGIES.length] as Strategy;
    const spec = seedSpec(rng, index);
    // Now and then the package claims another device than the upload it arrives as.
    const deviceId = rng.chance(0.03) ? 'dev_someone1' : spec.deviceId;
    yield { index, strategy, deviceId, packageId: spec.packageId, bytes: build(rng, strategy, spec) };
  }
}
