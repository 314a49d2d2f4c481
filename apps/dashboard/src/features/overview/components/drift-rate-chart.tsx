import type { FleetOverview } from '@tinymlops/contracts';
import { useMemo } from 'react';
import { TimeChart } from '../../../components/time-chart';

/** Episodes started per hour across the fleet over the last week (zero-filled; only real data). */
export function DriftRateChart({ rate }: { rate: FleetOverview['driftRate'] }) {
  const data = useMemo(() => {
    const step = rate.bucketSeconds;
    const start = Date.parse(rate.since) / 1000;
    const end = Math.floor(Date.now() / 1000 / step) * step;
    const byBucket = new Map(rate.points.map((p) => [Date.parse(p.bucket) / 1000, p.episodes]));
    const xs: number[] = [];
    for (let t = start; t <= end; t += step) xs.push(t);
    return [xs, xs.map((t) => byBucket.get(t) ?? 0)] as [number[], number[]];
  }, [rate]);
  return (
    <section className="panel" aria-labelledby="drift-rate-title">
      <h2 id="drift-rate-title">Drift rate · episodes started per hour, last 7 days</h2>
      {rate.points.length === 0 ? (
        <div className="state">
          <strong>No drift in the last 7 days</strong>Devices report drift episodes in their packages; none arrived.
        </div>
      ) : (
        <TimeChart
          label="Drift episodes per hour"
          data={data}
          series={[{ label: 'episodes', color: '#d1453b', fill: true }]}
          height={190}
        />
      )}
    </section>
  );
}
