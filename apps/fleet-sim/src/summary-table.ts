import type { FleetSummary } from './fleet.js';

const COLUMNS = [
  ['device', 'name'],
  ['scenario', 'scenario'],
  ['model', 'model'],
  ['frames', 'frames'],
  ['episodes +/-', 'episodes'],
  ['sent', 'packagesSent'],
  ['acked', 'packagesAcked'],
  ['pending', 'packagesPending'],
  ['dropped', 'packagesDropped'],
  ['rejected', 'packagesRejected'],
] as const;

type Row = Record<(typeof COLUMNS)[number][1], string>;

/**
 * The fleet summary as a plain-text table: one row per device and a total row. "sent" counts
 * packages uploaded at least once, "acked" those the server confirmed, "pending" those still in
 * the outbox, "dropped" those the outbox budget evicted.
 * @example
 * console.log(formatSummary(fleet.summary()));
 */
export function formatSummary(s: FleetSummary): string {
  const rows: Row[] = s.devices.map((d) => ({
    name: `${d.name}${d.deviceId ? ` (${d.deviceId})` : ' (not enrolled)'}`,
    scenario: d.scenario,
    model: d.model,
    frames: String(d.frames),
    episodes: `${d.episodesStarted}/${d.episodesEnded}`,
    packagesSent: String(d.packagesSent),
    packagesAcked: String(d.packagesAcked),
    packagesPending: String(d.packagesPending),
    packagesDropped: String(d.packagesDropped),
    packagesRejected: String(d.packagesRejected),
  }));
  const t = s.total;
  rows.push({
    name: 'total',
    scenario: '',
    model: '',
    frames: String(t.frames),
    episodes: `${t.episodesStarted}/${t.episodesEnded}`,
    packagesSent: String(t.packagesSent),
    packagesAcked: String(t.packagesAcked),
    packagesPending: String(t.packagesPending),
    packagesDropped: String(t.packagesDropped),
    packagesRejected: String(t.packagesRejected),
  });
  const widths = COLUMNS.map(([title, key]) => Math.max(title.length, ...rows.map((r) => r[key].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [
    line(COLUMNS.map(([title]) => title)),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map((r) => line(COLUMNS.map(([, key]) => r[key]))),
  ].join('\n');
}
