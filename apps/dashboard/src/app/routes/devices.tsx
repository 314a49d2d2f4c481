import { PageHeader } from '../../components/page-header';
import { DeviceTable } from '../../features/devices/components/device-table';

/** The fleet's devices. */
export function DevicesRoute() {
  return (
    <>
      <PageHeader title="Devices" description="Every enrolled device. Click a row (or press Enter) for its charts." />
      <DeviceTable />
    </>
  );
}
