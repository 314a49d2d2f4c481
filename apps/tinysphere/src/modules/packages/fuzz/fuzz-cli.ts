// `npm run fuzz [-- --count N] [-- --seed S] [-- --json]`: hostile packages through the server's
// real reader and ingest path, in process (see fuzz-ingest.ts). Ends
// with one line saying how many cases ran and what they proved; exits 1 on any crash or any
// write outside the blob store.
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { fuzzIngest } from './fuzz-ingest.js';
import { fuzzThroughServer } from './fuzz-server.js';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '100000' },
    seed: { type: 'string', default: '20261207' },
    threads: { type: 'string', default: String(availableParallelism()) },
    'server-count': { type: 'string', default: '1000' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log('usage: npm run fuzz -- [--count 100000] [--server-count 1000] [--seed 20261207] [--threads N] [--json]');
  process.exit(0);
}
const count = Number(values.count);
const seed = Number(values.seed);
if (!Number.isInteger(count) || count <= 0 || !Number.isInteger(seed)) {
  console.error('fuzz: --count must be a positive integer and --seed an integer');
  process.exit(1);
}
const r = await fuzzIngest({
  seed,
  count,
  threads: Math.max(1, Number(values.threads) || 1),
  onProgress: (done) => process.stderr.write(`\rfuzz: ${done}/${count}`),
});
process.stderr.write('\n');
if (values.json) console.log(JSON.stringify(r));
for (const [strategy, n] of Object.entries(r.byStrategy))
  console.log(`  ${strategy.padEnd(14)} accepted ${String(n.accepted).padStart(6)}  refused ${n.refused}`);
for (const c of r.crashes.slice(0, 20)) console.log(`  CRASH case ${c.index} (${c.strategy}): ${c.error}`);
for (const w of r.writesOutside.slice(0, 20)) console.log(`  WRITE OUTSIDE THE STORE: ${w}`);
const rate = Math.round(r.cases / r.seconds);
console.log(
  `fuzz: ${r.cases} hostile archives and documents through the reader and ingest path (seed ${seed}) in ` +
    `${r.seconds.toFixed(1)} s (${rate}/s): ${r.crashes.length} crashes, ${r.writesOutside.length} writes outside the store` +
    (r.crashes.length ? `; inputs saved in ${r.crashDir}` : ''),
);
// The first `server-count` cases again, this time over HTTP and through the worker into PGlite.
const serverCount = Math.min(count, Number(values['server-count']) || 0);
const srv = serverCount > 0 ? await fuzzThroughServer(seed, 0, serverCount) : undefined;
if (srv) {
  for (const f of srv.faults.slice(0, 20)) console.log(`  SERVER FAULT: ${f}`);
  for (const w of srv.writesOutside.slice(0, 20)) console.log(`  WRITE OUTSIDE THE STORE: ${w}`);
  console.log(
    `fuzz: ${srv.cases} of them uploaded over HTTP and ingested by the worker into PGlite: answers ` +
      `${JSON.stringify(srv.answers)}, packages ${JSON.stringify(srv.outcomes)}; ${srv.faults.length} faults ` +
      `(5xx, retried or unsettled), ${srv.writesOutside.length} writes outside the store`,
  );
}
const clean = r.crashes.length === 0 && r.writesOutside.length === 0;
process.exit(clean && (!srv || (srv.faults.length === 0 && srv.writesOutside.length === 0)) ? 0 : 1);
