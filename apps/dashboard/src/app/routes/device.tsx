import { Link, useParams } from 'react-router';
import { PageHeader } from '../../components/page-header';
import { QueryState } from '../../components/query-state';
import { TimeRangePicker } from '../../components/time-range-picker';
import { useTimeRange } from '../../lib/time-range';
import { useDevice } from '../../features/devices/api/get-device';
import { useDeviceTimeline } from '../../features/devices/api/get-device-timeline';
import { DeviceCharts, ResourceCharts } from '../../features/devices/components/device-charts';
import { DeviceCredentials } from '../../features/devices/components/device-credentials';
import { DeviceEditForm } from '../../features/devices/components/device-edit-form';
import { DeviceFacts } from '../../features/devices/components/device-facts';
import { RecentPredictions } from '../../features/devices/components/recent-predictions';
import { AdaptationTimeline } from '../../features/adaptations/components/adaptation-timeline';
import { DeviceMode } from '../../features/device-settings/components/device-mode';
import { DeliveryTable } from '../../features/feedback/components/delivery-table';

/** One device: facts, charts, recent predictions, its adaptations and what was sent to it, its mode, name/group/tags. */
export function DeviceRoute() {
  const { deviceId = '' } = useParams();
  const device = useDevice(deviceId);
  const { range, since, setRange } = useTimeRange('24h');
  const timeline = useDeviceTimeline(deviceId, since);
  return (
    <>
      <PageHeader
        title={device.data?.name ?? deviceId}
        description={
          <>
            <span className="mono">{deviceId}</span> · <Link to="/devices">all devices</Link>
          </>
        }
        actions={<TimeRangePicker value={range.key} onChange={setRange} />}
      />
      <div className="stack">
        <QueryState query={device}>{(d) => <DeviceFacts device={d} />}</QueryState>
        <QueryState query={timeline}>
          {(t) => (
            <>
              <DeviceCharts timeline={t} />
              <h2 style={{ margin: '8px 0 0' }}>Resource use</h2>
              <ResourceCharts metrics={t.metrics} />
              <RecentPredictions deviceId={t.deviceId} predictions={t.predictions} />
            </>
          )}
        </QueryState>
        <AdaptationTimeline deviceId={deviceId} />
        <DeliveryTable filter={{ deviceId }} title="Sent to this device" />
        <QueryState query={device}>
          {(d) => (
            <div className="grid cols-2" style={{ alignItems: 'start' }}>
              <DeviceMode deviceId={d.deviceId} />
              <DeviceEditForm key={d.deviceId} device={d} />
              <DeviceCredentials device={d} />
            </div>
          )}
        </QueryState>
      </div>
    </>
  );
}
