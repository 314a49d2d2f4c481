/**
 * Structure-aware mutations of JSON documents for the ingest fuzzer: replace a value somewhere
 * with a hostile one, drop or add a key, duplicate or reorder records. Test-only code.
 */
import type { FuzzRng } from './fuzz-rng.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Stands for a value nested `depth` deep until {@link toJsonText} writes it (building it would overflow our own stack). */
function deepNest(depth: number): Json {
  return `\u0001deep:${depth}`;
}

/**
 * JSON.stringify, but with deeply nested values written out as text: what a hostile document
 * does to overflow a recursive walker.
 * @example
 * toJsonText(mutateJson(rng, doc)); // may contain {"a":{"a":… 5,000 deep
 */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value).replace(/"\\u0001deep:(\d+)"/g, (_m, d: string) => {
    const n = Number(d);
    return '{"a":['.repeat(n) + '1' + ']}'.repeat(n);
  });
}

/** Values that break assumptions: types, ranges, text the database cannot hold, paths, sizes. */
export function hostileValue(rng: FuzzRng): Json {
  const pool: (() => Json)[] = [
    () => null,
    () => true,
    () => -1,
    () => 0,
    () => 1e308,
    () => -1e308,
    () => 2 ** 53 + 1,
    () => 2 ** 31,
    () => -(2 ** 31) - 1,
    () => 0.5,
    () => '',
    () => 'x'.repeat(rng.int(6_000)),
    () => 'a\u0000b',
    () => 'x\ud800y',
    () => '\udc00',
    () => '__proto__',
    () => '../../../etc/passwd',
    () => '/etc/passwd',
    () => 'drift/images/../../../../tmp/x.png',
    () => 'C:\\Windows\\x',
    () => '2026-13-45T99:99:99Z',
    () => 'NaN',
    () => '=AAAA',
    () => [],
    () => ({}),
    () => ({ __proto__: { polluted: 1 }, constructor: { prototype: { polluted: 1 } } }) as Json,
    () => deepNest(rng.int(2) ? 70 : 2_000),
    () => Array.from({ length: rng.int(600) }, (_, i) => i),
    () => rng.int(1_000_000) - 500_000,
  ];
  return rng.pick(pool)();
}

/** Every path (list of keys/indices) to a value inside `doc`. */
function paths(doc: Json, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (out.length > 400) return out;
  if (Array.isArray(doc)) doc.forEach((v, i) => paths(v, [...at, i], out));
  else if (doc && typeof doc === 'object') for (const [k, v] of Object.entries(doc)) paths(v, [...at, k], out);
  return out;
}

function parentOf(doc: Json, path: (string | number)[]): { parent: Json; key: string | number } | null {
  if (path.length === 0) return null;
  let parent: Json = doc;
  for (const k of path.slice(0, -1)) parent = (parent as Record<string | number, Json>)[k] as Json;
  return { parent, key: path[path.length - 1] as string | number };
}

/**
 * One structure-aware mutation of a copy of `doc` (1–3 edits).
 * @example
 * const bad = mutateJson(rng, structuredClone(doc));
 */
export function mutateJson(rng: FuzzRng, doc: Json): Json {
  let root = structuredClone(doc);
  for (let edits = 1 + rng.int(3); edits > 0; edits--) {
    const target = rng.pick(paths(root));
    const at = parentOf(root, target);
    if (!at) {
      root = hostileValue(rng);
      continue;
    }
    const parent = at.parent as Record<string | number, Json>;
    const list = Array.isArray(at.parent) ? (at.parent as Json[]) : null;
    const op = rng.int(5);
    if (op === 0) delete parent[at.key];
    else if (op === 1 && !list) parent[`extra${rng.int(9)}`] = hostileValue(rng);
    else if (op === 2 && list) list.push(structuredClone(list[0] ?? null));
    else if (op === 3 && list) list.reverse();
    else parent[at.key] = hostileValue(rng);
  }
  return root;
}

/** Text that is not JSON, or JSON a careless parser chokes on. */
export function brokenJson(rng: FuzzRng, good: string): string {
  const options = [
    () => good.slice(0, rng.int(good.length)),
    () => good.replace(/"/, ''),
    () => `${good}garbage`,
    () => '\ufeff' + good,
    () => '['.repeat(20_000),
    () => '{"a":'.repeat(5_000) + '1' + '}'.repeat(5_000),
    () => good.replace(/:/g, ':\u0000'),
    () => '',
    () => 'null',
    () => '1e999999',
  ];
  return rng.pick(options)();
}
