import { useMemo } from 'react';
import { QueryState } from '../../../components/query-state';
import { TimeChart } from '../../../components/time-chart';
import { useDriftRates } from '../api/get-drift-rates';

const DAYS = 7;
const BUCKET = 3600;

/** Episodes started per hour across the fleet over the last week (zero-filled; only real data). */
export function DriftRateChart() {
  const query = useDriftRates(DAYS, BUCKET);
  const data = useMemo(() => {
    const end = Math.floor(Date.now() / 1000 / BUCKET) * BUCKET;
    const start = end - DAYS * 86_400;
    const xs: number[] = [];
    for (let t = start; t <= end; t += BUCKET) xs.push(t);
    const episodes = new Map<number, number>();
    const samples = new Map<number, number>();
    for (const p of query.data?.points ?? []) {
      const t = Date.parse(p.bucket) / 1000;
      episodes.set(t, (episodes.get(t) ?? 0) + p.episodes);
      samples.set(t, (samples.get(t) ?? 0) + p.samples);
    }
    return [xs, xs.map((t) => episodes.get(t) ?? 0), xs.map((t) => samples.get(t) ?? 0)] as [
      number[],
      number[],
      number[],
    ];
  }, [query.data]);
  return (
    <section className="panel" aria-labelledby="drift-rate-title">
      <h2 id="drift-rate-title">Drift rate · episodes started per hour, last 7 days</h2>
      <QueryState query={query}>
        {(d) =>
          d.points.length === 0 ? (
            <div className="state">
              <strong>No drift in the last 7 days</strong>Devices report drift episodes in their packages; none arrived.
            </div>
          ) : (
            <TimeChart
              label="Drift episodes per hour"
              data={[data[0], data[1]]}
              series={[{ label: 'episodes', color: '#d1453b', fill: true }]}
              height={190}
            />
          )
        }
      </QueryState>
    </section>
  );
}
