/** The adaptation evaluation's printed tables (markdown, as docs/adaptation-benchmark.md shows them). */
import type { EvalRow, Score } from './adaptation-rows.js';
import { STREAM } from './adaptation-stream.js';

const pct = (x: number | null | undefined) =>
  x === null || x === undefined || Number.isNaN(x) ? '–' : `${(100 * x).toFixed(1)} %`;
const DELAYS: Record<EvalRow['validationDelay'], string> = {
  '0': `at once (frame ${STREAM.labelsAt})`,
  '1h': '1 h after the episode',
  '1d': '1 day after the episode',
  restart: '1 h, device restarted',
};
const score = (s: Score) => `${pct(s.accuracy)} / ${s.drop.toFixed(1)}`;
const line = (cells: (string | number)[]) => console.log(`| ${cells.join(' | ')} |`);
const header = (cells: string[]) => (line(cells), line(cells.map(() => '---')));

/** The reporter rows; a row's replay as an old v1 device appears as one of its columns. */
export function printRows(rows: EvalRow[]): void {
  header([
    'mode',
    'labels',
    'validated',
    'new-class acc. (100 frames after the labels)',
    'bag',
    'ankle boot',
    'same row as a v1 device',
    'new-class acc. 2nd episode',
    'old-class acc.',
    'old-class drop (points)',
    'labels applied',
    'rollbacks',
    'heuristic groups: label→majority (members, purity)',
    'quarantined',
  ]);
  for (const r of rows.filter((x) => !x.v1)) {
    const v1 = rows.find((x) => x.v1 && x.validationDelay === r.validationDelay && x.labels === r.labels);
    const d = r.details;
    const groups = d.pseudoClasses.map((p) => `${p.label}→${p.majority} (${p.members}, ${pct(p.purity)})`);
    line([
      r.name,
      r.labels,
      DELAYS[r.validationDelay],
      pct(r.newClassAccuracy),
      pct(d.perClass['bag']),
      pct(d.perClass['ankle boot']),
      v1 ? `${pct(v1.newClassAccuracy)} (${v1.details.labelsApplied} of ${v1.labels} applied)` : '–',
      pct(d.recurrence),
      pct(d.oldClassAccuracy),
      r.oldClassAccuracyDrop.toFixed(1),
      d.labelsApplied ?? '–',
      r.rollbacks,
      groups.join('; ') || '–',
      d.quarantined ?? '–',
    ]);
  }
}

/** The fleet row, with B's figures without its guard beside them. */
export function printFleet(r: EvalRow): void {
  const s = r.details.shared;
  console.log('');
  header([
    'fleet',
    "A's labels",
    'samples shared',
    'applied by B',
    "refused by B's guard",
    'B: new-class acc. at first sight',
    'bag',
    'ankle boot',
    'B: old-class drop (points)',
    'without the guard: acc. / drop',
    "ceiling: all of A's episode shared, acc. / drop (without the guard)",
  ]);
  line([
    r.name,
    r.labels,
    s?.samples ?? '–',
    s?.applied ?? '–',
    s?.rejected ?? '–',
    pct(r.newClassAccuracy),
    pct(r.details.perClass['bag']),
    pct(r.details.perClass['ankle boot']),
    r.oldClassAccuracyDrop.toFixed(1),
    s ? score(s.unguarded) : '–',
    s ? `${s.ceiling.samples} samples: ${score(s.ceiling)} (${score(s.ceiling.unguarded)})` : '–',
  ]);
}

type SeedRows = { seed: number; rows: EvalRow[]; fleet: EvalRow };
const COLUMNS = ['0', '1h', '1d', 'restart'] as const;

/** The 10-label rows and the fleet row per seed, then the spread (min–max) of each column. */
export function printSeeds(perSeed: SeedRows[]): void {
  const pick = (s: SeedRows, delay: string) =>
    s.rows.find((r) => !r.v1 && r.labels === 10 && r.validationDelay === delay);
  const cell = (r: EvalRow | undefined) =>
    r ? `${pct(r.newClassAccuracy)} / ${r.oldClassAccuracyDrop.toFixed(1)}` : '–';
  console.log('');
  header(['seed', '10 labels at once', '1 h', '1 day', '1 h + restart', 'fleet (device B)', 'fleet ceiling']);
  const ceiling = (s: SeedRows) => {
    const c = s.fleet.details.shared?.ceiling;
    return c ? `${score(c)} (${score(c.unguarded)})` : '–';
  };
  for (const s of perSeed) line([s.seed, ...COLUMNS.map((d) => cell(pick(s, d))), cell(s.fleet), ceiling(s)]);
  const spread = (get: (s: SeedRows) => EvalRow | undefined) => {
    const rows = perSeed.map(get).filter((r): r is EvalRow => r !== undefined);
    const range = (xs: number[], f: (x: number) => string) => `${f(Math.min(...xs))}–${f(Math.max(...xs))}`;
    const acc = range(
      rows.map((r) => 100 * r.newClassAccuracy),
      (x) => x.toFixed(1),
    );
    return `${acc} % / ${range(
      rows.map((r) => r.oldClassAccuracyDrop),
      (x) => x.toFixed(1),
    )}`;
  };
  line(['spread', ...COLUMNS.map((d) => spread((s) => pick(s, d))), spread((s) => s.fleet), '']);
}
