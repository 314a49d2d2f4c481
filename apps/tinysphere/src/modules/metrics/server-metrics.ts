import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The server's Prometheus metrics, in a registry of their own (tests run several apps per process). */
export interface ServerMetrics {
  readonly registry: Registry;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly heartbeats: Counter;
  /** Heartbeats per group-committed statement: how much the batching saves under the current load. */
  readonly heartbeatBatchSize: Histogram;
  readonly packagesReceived: Counter<'outcome'>;
  readonly jobs: Counter<'kind' | 'outcome'>;
  /** Uploads refused because the device was over a quota (stored, pending, daily, size). */
  readonly quotaRejections: Counter<'quota'>;
  /** Maintenance task runs (prune-archives, sweep-blobs) by outcome (done, failed). */
  readonly maintenance: Counter<'task' | 'outcome'>;
  /** Raw archives the maintenance schedule pruned, and their bytes, by package status (ingested, failed). */
  readonly prunedArchives: Counter<'status'>;
  readonly prunedBytes: Counter<'status'>;
  /** Bytes of raw archives held in memory by ingestion right now (its budget bounds them). */
  readonly ingestBytesInUse: Gauge;
  readonly uploadBytesInMemory: Gauge;
  readonly uploadsRefusedForMemory: Counter;
}

/**
 * Creates the metrics of one server.
 * @example
 * const m = createServerMetrics(); m.heartbeats.inc(); await m.registry.metrics();
 */
export function createServerMetrics(): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'tinysphere_http_request_duration_seconds',
      help: 'HTTP request duration by route and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    heartbeats: new Counter({
      name: 'tinysphere_heartbeats_total',
      help: 'Heartbeats accepted',
      registers: [registry],
    }),
    heartbeatBatchSize: new Histogram({
      name: 'tinysphere_heartbeat_batch_size',
      help: 'Heartbeats written per database statement',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers: [registry],
    }),
    packagesReceived: new Counter({
      name: 'tinysphere_packages_received_total',
      help: 'Package uploads by outcome (queued, duplicate, rejected)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    jobs: new Counter({
      name: 'tinysphere_jobs_total',
      help: 'Jobs run by kind and outcome (done, retry, dead)',
      labelNames: ['kind', 'outcome'],
      registers: [registry],
    }),
    quotaRejections: new Counter({
      name: 'tinysphere_quota_rejections_total',
      help: 'Package uploads refused with QUOTA_EXCEEDED (or 413 above the whole quota), by quota',
      labelNames: ['quota'],
      registers: [registry],
    }),
    maintenance: new Counter({
      name: 'tinysphere_maintenance_runs_total',
      help: 'Scheduled maintenance task runs by task and outcome',
      labelNames: ['task', 'outcome'],
      registers: [registry],
    }),
    prunedArchives: new Counter({
      name: 'tinysphere_pruned_archives_total',
      help: 'Raw package archives pruned by the maintenance schedule, by package status',
      labelNames: ['status'],
      registers: [registry],
    }),
    prunedBytes: new Counter({
      name: 'tinysphere_pruned_archive_bytes_total',
      help: 'Bytes of raw package archives pruned by the maintenance schedule, by package status',
      labelNames: ['status'],
      registers: [registry],
    }),
    ingestBytesInUse: new Gauge({
      name: 'tinysphere_ingest_memory_bytes',
      help: 'Bytes of package archives (compressed and extracted) ingestion holds in memory now',
      registers: [registry],
    }),
    uploadBytesInMemory: new Gauge({
      name: 'tinysphere_upload_memory_bytes',
      help: 'Bytes of package uploads the API holds in memory now (read, waiting to be made durable)',
      registers: [registry],
    }),
    uploadsRefusedForMemory: new Counter({
      name: 'tinysphere_uploads_refused_memory_total',
      help: 'Package uploads answered 503 because the upload memory budget was full',
      registers: [registry],
    }),
  };
}
