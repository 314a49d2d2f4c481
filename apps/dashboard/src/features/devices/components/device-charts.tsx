import type { DeviceTimeline } from '@tinymlops/contracts';
import { useMemo } from 'react';
import { TimeChart, type ChartBand } from '../../../components/time-chart';
import { withGaps } from '../../../lib/chart-gaps';

const sec = (iso: string) => Date.parse(iso) / 1000;

/**
 * Latency, confidence and KNN distance of the sampled predictions, with drift episodes shaded,
 * restarts and outages drawn as gaps, and the drift monitor's level on the distance chart.
 */
export function DeviceCharts({ timeline }: { timeline: DeviceTimeline }) {
  const { xs, latency, confidence, distance, bands, gaps } = useMemo(() => {
    const p = timeline.predictions;
    const bands: ChartBand[] = timeline.episodes
      .filter((e) => e.startedAt)
      .map((e) => ({ from: sec(e.startedAt ?? ''), to: e.endedAt ? sec(e.endedAt) : null }));
    const raw = [p.map((r) => r.latencyMs), p.map((r) => r.confidence), p.map((r) => r.knnDistance)];
    const g = withGaps(
      p.map((r) => sec(r.at)),
      raw,
      p.map((r) => r.seq),
    );
    return {
      xs: g.xs,
      latency: g.ys[0] ?? [],
      confidence: g.ys[1] ?? [],
      distance: g.ys[2] ?? [],
      bands,
      gaps: g.gaps,
    };
  }, [timeline]);
  const level = timeline.driftLevel;
  if (xs.length === 0) {
    return (
      <section className="panel">
        <div className="state">
          <strong>No prediction samples from this device yet</strong>
          Devices upload sampled predictions in their packages; charts appear after the first one is ingested.
        </div>
      </section>
    );
  }
  return (
    <div className="stack" style={{ gap: 8 }}>
      {gaps > 0 ? (
        <p className="muted small" style={{ margin: 0 }}>
          {gaps} {gaps === 1 ? 'gap' : 'gaps'} (restart or outage) drawn as breaks in the lines.
        </p>
      ) : null}
      <div className="grid cols-3">
        <section className="panel">
          <h2>Latency (ms)</h2>
          <TimeChart
            label="Inference latency"
            data={[xs, latency]}
            series={[{ label: 'latency ms', color: '#386df0' }]}
            bands={bands}
            height={180}
          />
        </section>
        <section className="panel">
          <h2>Confidence</h2>
          <TimeChart
            label="Prediction confidence"
            data={[xs, confidence]}
            series={[{ label: 'confidence', color: '#1f9d6b' }]}
            bands={bands}
            height={180}
          />
        </section>
        <section className="panel">
          <h2>
            KNN distance <span className="muted small">· drift episodes shaded</span>
          </h2>
          <TimeChart
            label="KNN distance"
            data={[xs, distance]}
            series={[{ label: 'distance', color: '#d1453b' }]}
            bands={bands}
            lines={level ? [{ value: level.knnDistance, color: '#8a5a00' }] : []}
            height={180}
          />
          <p className="muted small" style={{ margin: '6px 0 0' }}>
            {level
              ? `Dashed: drift level ${level.knnDistance.toFixed(2)} (the monitor's reference mean + δ; above it, drift evidence builds up)`
              : 'No drift level: no knn-distance episode reported its reference yet.'}
          </p>
        </section>
      </div>
    </div>
  );
}

/** One chart per operational metric the device reported (CPU, memory, …). */
export function ResourceCharts({ metrics }: { metrics: DeviceTimeline['metrics'] }) {
  if (metrics.length === 0) {
    return <p className="muted small">The device has not uploaded operational metrics yet.</p>;
  }
  return (
    <div className="grid cols-3">
      {metrics.slice(0, 6).map((m) => (
        <section className="panel" key={m.name}>
          <h2>
            {m.name} {m.unit ? <span className="muted small">({m.unit})</span> : null}
          </h2>
          <TimeChart
            label={m.name}
            data={[m.points.map((p) => sec(p.at)), m.points.map((p) => p.value)]}
            series={[{ label: m.name, color: '#7b61d1', fill: true }]}
            height={150}
          />
        </section>
      ))}
    </div>
  );
}
