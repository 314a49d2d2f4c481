import type { DeviceSummary } from '@tinymlops/contracts';
import { StatCard } from '../../../components/stat-card';
import { timeAgo } from '../../../lib/format-time';
import { DeviceStatePill, DriftNowPill } from './device-columns';

/** Identity, state, resources and outbox backlog of one device. */
export function DeviceFacts({ device }: { device: DeviceSummary }) {
  const m = device.metrics;
  return (
    <div className="grid cols-4">
      <section className="panel span-2" aria-label="Device details">
        <dl className="kv">
          <dt>State</dt>
          <dd>
            <DeviceStatePill online={device.online} status={device.status} /> <DriftNowPill device={device} /> last seen{' '}
            {timeAgo(device.lastSeenAt)}
          </dd>
          <dt>Model</dt>
          <dd>{device.model ? `${device.model.modelId}@${device.model.version}` : 'none installed'}</dd>
          <dt>Mode</dt>
          <dd>{device.mode ?? '—'}</dd>
          <dt>State version</dt>
          <dd>{device.stateVersion ?? '—'}</dd>
          <dt>Hardware</dt>
          <dd className="mono">
            {device.hardwareId} · {device.platform.os}/{device.platform.arch} · node {device.platform.node}
          </dd>
          <dt>Group · tags</dt>
          <dd>
            {device.group ?? 'no group'} · {device.tags.length ? device.tags.join(', ') : 'no tags'}
          </dd>
        </dl>
      </section>
      <StatCard
        label="Resources (last heartbeat)"
        value={m?.cpuPercent !== undefined ? `${Math.round(m.cpuPercent)}% CPU` : '—'}
        foot={
          m
            ? `${m.rssMb !== undefined ? `${Math.round(m.rssMb)} MB RSS · ` : ''}p50 ${m.inferenceMsP50?.toFixed(1) ?? '—'} ms · p95 ${m.inferenceMsP95?.toFixed(1) ?? '—'} ms`
            : 'no heartbeat yet'
        }
      />
      <StatCard
        label="Outbox backlog"
        value={m ? `${m.outboxPackages} ${m.outboxPackages === 1 ? 'package' : 'packages'}` : '—'}
        foot={
          m ? `${(m.outboxBytes / 1024).toFixed(0)} KiB waiting · ${m.droppedPackages} dropped` : 'no heartbeat yet'
        }
      />
    </div>
  );
}
