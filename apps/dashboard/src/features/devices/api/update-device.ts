import { useMutation, useQueryClient } from '@tanstack/react-query';
import { DeviceSummary, type DeviceUpdate } from '@tinymlops/contracts';
import { apiSend } from '../../../lib/api-client';

/** Changes a device's name, tags, group or location (engineer). */
export const updateDevice = (deviceId: string, body: DeviceUpdate) =>
  apiSend('PATCH', `/api/v1/devices/${encodeURIComponent(deviceId)}`, body, DeviceSummary);

/** Updates a device, then refreshes it and the device table. */
export function useUpdateDevice(deviceId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: DeviceUpdate) => updateDevice(deviceId, body),
    onSettled: async () => {
      await qc.invalidateQueries({ queryKey: ['device', deviceId] });
      await qc.invalidateQueries({ queryKey: ['device-table'] });
    },
  });
}
