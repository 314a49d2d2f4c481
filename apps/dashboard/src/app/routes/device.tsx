import { Link, useParams } from 'react-router';
import { PageHeader } from '../../components/page-header';
import { QueryState } from '../../components/query-state';
import { useDevice } from '../../features/devices/api/get-device';
import { useDeviceTimeline } from '../../features/devices/api/get-device-timeline';
import { DeviceCharts, ResourceCharts } from '../../features/devices/components/device-charts';
import { DeviceCredentials } from '../../features/devices/components/device-credentials';
import { DeviceEditForm } from '../../features/devices/components/device-edit-form';
import { DeviceFacts } from '../../features/devices/components/device-facts';
import { RecentPredictions } from '../../features/devices/components/recent-predictions';

/** One device: facts, prediction charts with drift episodes, resources, recent predictions, and its name/group/tags. */
export function DeviceRoute() {
  const { deviceId = '' } = useParams();
  const device = useDevice(deviceId);
  const timeline = useDeviceTimeline(deviceId);
  return (
    <>
      <PageHeader
        title={device.data?.name ?? deviceId}
        description={
          <>
            <span className="mono">{deviceId}</span> · <Link to="/devices">all devices</Link>
          </>
        }
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
        <QueryState query={device}>
          {(d) => (
            <div className="grid cols-2" style={{ alignItems: 'start' }}>
              <DeviceEditForm key={d.deviceId} device={d} />
              <DeviceCredentials device={d} />
            </div>
          )}
        </QueryState>
      </div>
    </>
  );
}
