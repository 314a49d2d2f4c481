import type { DeviceTimeline } from '@tinymlops/contracts';
import { useMemo } from 'react';
import { TimeChart, type ChartBand } from '../../../components/time-chart';

const sec = (iso: string) => Date.parse(iso) / 1000;

/** Latency, confidence and KNN distance of recent predictions, with drift episodes shaded. */
export function DeviceCharts({ timeline }: { timeline: DeviceTimeline }) {
  const { xs, latency, confidence, distance, bands } = useMemo(() => {
    const p = timeline.predictions;
    const bands: ChartBand[] = timeline.episodes
      .filter((e) => e.startedAt)
      .map((e) => ({ from: sec(e.startedAt ?? ''), to: e.endedAt ? sec(e.endedAt) : null }));
    return {
      xs: p.map((r) => sec(r.at)),
      latency: p.map((r) => r.latencyMs),
      confidence: p.map((r) => r.confidence),
      distance: p.map((r) => r.knnDistance),
      bands,
    };
  }, [timeline]);
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
          height={180}
        />
      </section>
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
