import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { DeviceSettingsView, type OperationalMode } from '@tinymlops/contracts';
import { apiGet, apiSend } from '../../../lib/api-client';

/** Fetches what the server wants a device to run and how that reached it. */
export const getDeviceSettings = (deviceId: string) =>
  apiGet(`/api/v1/devices/${deviceId}/settings`, DeviceSettingsView);

/** A device's server-controlled settings, polled. */
export function useDeviceSettings(deviceId: string) {
  return useQuery({ queryKey: ['device-settings', deviceId], queryFn: () => getDeviceSettings(deviceId) });
}

/** Sets (or with null clears) the device's own mode rule (engineer). */
export function useSetDeviceMode(deviceId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (mode: OperationalMode | null) =>
      apiSend('PUT', `/api/v1/settings/devices/${deviceId}`, { mode }, DeviceSettingsView),
    onSettled: () => qc.invalidateQueries({ queryKey: ['device-settings', deviceId] }),
  });
}
