/**
 * `npx tsx bench/soak/heap-diff.ts <before.heapsnapshot> <after.heapsnapshot> [--top 25]`: what
 * grew between two V8 heap snapshots (the soak writes them with SOAK_SNAPSHOT_DIR set), summed by
 * node type and constructor name: objects and bytes (self size) before and after, largest growth
 * first. A leak shows as a constructor whose count climbs with every fault round.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

type Totals = Map<string, { count: number; bytes: number }>;

/** Count and self size per `type:name` of every node of a snapshot. */
function totals(file: string): Totals {
  const s = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const fields = s.snapshot.meta.node_fields;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [
    number,
    number,
    number,
  ];
  const types = s.snapshot.meta.node_types[0];
  const out: Totals = new Map();
  for (let i = 0; i < s.nodes.length; i += fields.length) {
    const type = types[s.nodes[i + typeAt]!] ?? '?';
    const name = type === 'string' || type === 'concatenated string' ? '' : s.strings[s.nodes[i + nameAt]!];
    const key = `${type}:${(name ?? '').slice(0, 60)}`;
    const t = out.get(key) ?? { count: 0, bytes: 0 };
    t.count += 1;
    t.bytes += s.nodes[i + sizeAt]!;
    out.set(key, t);
  }
  return out;
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '25' } },
});
if (positionals.length !== 2) {
  console.error('usage: tsx bench/soak/heap-diff.ts <before.heapsnapshot> <after.heapsnapshot> [--top 25]');
  process.exit(2);
}
const [a, b] = positionals.map(totals) as [Totals, Totals];
const sum = (t: Totals) => [...t.values()].reduce((x, y) => x + y.bytes, 0);
const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`;
console.log(`self size in all: ${kb(sum(a))} → ${kb(sum(b))}`);
const rows = [...new Set([...a.keys(), ...b.keys()])].map((k) => {
  const x = a.get(k) ?? { count: 0, bytes: 0 };
  const y = b.get(k) ?? { count: 0, bytes: 0 };
  return { k, count: `${x.count} → ${y.count}`, bytes: `${kb(x.bytes)} → ${kb(y.bytes)}`, grew: y.bytes - x.bytes };
});
rows.sort((x, y) => y.grew - x.grew);
for (const r of rows.slice(0, Number(values.top)))
  console.log(`${kb(r.grew).padStart(9)}  ${r.k}  (${r.count}; ${r.bytes})`);
