import type { FleetOverview } from '@tinymlops/contracts';
import { useMemo } from 'react';
import { TimeChart } from '../../../components/time-chart';
import type { TimeRange } from '../../../lib/time-range';

/** Zero-filled totals per bucket from `since` to now (only real data; empty buckets are 0). */
function totals(rate: FleetOverview['driftRate']): [number[], number[]] {
  const step = rate.bucketSeconds;
  const start = Math.ceil(Date.parse(rate.since) / 1000 / step) * step;
  const end = Math.floor(Date.now() / 1000 / step) * step;
  const byBucket = new Map<number, number>();
  for (const p of rate.points) {
    const t = Date.parse(p.bucket) / 1000;
    byBucket.set(t, (byBucket.get(t) ?? 0) + p.episodes);
  }
  const xs: number[] = [];
  for (let t = start; t <= end; t += step) xs.push(t);
  return [xs, xs.map((t) => byBucket.get(t) ?? 0)];
}

/** Episodes started per bucket across the fleet over the chosen range. */
export function DriftRateChart({ rate, range }: { rate: FleetOverview['driftRate']; range: TimeRange }) {
  const data = useMemo(() => totals(rate), [rate]);
  return (
    <section className="panel" aria-labelledby="drift-rate-title">
      <h2 id="drift-rate-title">
        Drift rate · episodes started per {range.bucketLabel}, last {range.label}
      </h2>
      {rate.points.length === 0 ? (
        <div className="state">
          <strong>No drift in the last {range.label}</strong>Devices report drift episodes in their packages; none
          started in this range.
        </div>
      ) : (
        <TimeChart
          label={`Drift episodes per ${range.bucketLabel}`}
          data={data}
          series={[{ label: 'episodes', color: '#d1453b', fill: true }]}
          height={190}
        />
      )}
    </section>
  );
}
