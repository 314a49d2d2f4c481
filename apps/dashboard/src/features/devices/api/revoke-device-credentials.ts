import { useMutation, useQueryClient } from '@tanstack/react-query';
import { DeviceCredentialRevocation } from '@tinymlops/contracts';
import { apiSend } from '../../../lib/api-client';

/** Revokes a device's credentials (admin): refused until it enrols again. */
export const revokeDeviceCredentials = (deviceId: string) =>
  apiSend(
    'DELETE',
    `/api/v1/devices/${encodeURIComponent(deviceId)}/credentials`,
    undefined,
    DeviceCredentialRevocation,
  );

/** Revokes a device's credentials, then refreshes the device. */
export function useRevokeDeviceCredentials(deviceId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => revokeDeviceCredentials(deviceId),
    onSettled: () => qc.invalidateQueries({ queryKey: ['device', deviceId] }),
  });
}
