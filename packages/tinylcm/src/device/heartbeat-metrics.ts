import type { HeartbeatMetrics } from '@tinymlops/contracts';
import type { OperationalMetrics } from '../log/operational-monitor.js';

/**
 * The heartbeat's summary metrics from the operational monitor. A figure that is not defined yet
 * (no frame processed, or no wall time measured) is left out rather than sent as NaN, which JSON
 * would turn into `null` and the server would refuse. Outbox figures are filled in by the sync
 * client.
 * @example
 * heartbeatMetrics(ops.metrics(), 0, false); // { framesProcessed: 0, driftActive: false, rssMb: 0, … }
 */
export function heartbeatMetrics(m: OperationalMetrics, frames: number, driftActive: boolean): HeartbeatMetrics {
  const gauges = {
    inferenceMsP50: m.latencyMs.p50,
    inferenceMsP95: m.latencyMs.p95,
    rssMb: m.rssMb,
    cpuPercent: 100 * m.cpuUtilisation,
  };
  const defined = Object.entries(gauges).filter(([, v]) => Number.isFinite(v) && v >= 0);
  return {
    framesProcessed: frames,
    ...Object.fromEntries(defined),
    driftActive,
    outboxBytes: 0,
    outboxPackages: 0,
    droppedPackages: 0,
  };
}
