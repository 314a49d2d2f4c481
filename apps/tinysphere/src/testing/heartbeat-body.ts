import type { HeartbeatRequest } from '@tinymlops/contracts';

const DEFAULTS: HeartbeatRequest = {
  schemaVersion: 1,
  sentAt: '2026-11-26T10:01:00.000Z',
  status: 'ok',
  mode: 'monitoring-only',
  model: { modelId: 'fashion-mnv2', version: '1.0.0' },
  stateVersion: 3,
  uptimeSeconds: 60,
  metrics: { framesProcessed: 60, driftActive: false, outboxBytes: 0, outboxPackages: 0, droppedPackages: 0 },
};

/** Fields to change in a heartbeat (bad-input tests may put anything anywhere); `metrics` merges into the defaults. */
type HeartbeatOverrides = Record<string, unknown> & { metrics?: Partial<HeartbeatRequest['metrics']> };

/**
 * A valid heartbeat body for tests, with `over` applied.
 * @example
 * s.call('POST', '/device/v1/heartbeat', { token, json: heartbeatBody({ mode: 'autonomous', metrics: { driftActive: true } }) });
 */
export function heartbeatBody(over: HeartbeatOverrides = {}): HeartbeatRequest {
  return { ...DEFAULTS, ...over, metrics: { ...DEFAULTS.metrics, ...over.metrics } } as HeartbeatRequest;
}
