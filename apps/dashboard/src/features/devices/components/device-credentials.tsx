import type { DeviceSummary } from '@tinymlops/contracts';
import { usePermission } from '../../../lib/auth';
import { shortTime } from '../../../lib/format-time';
import { useRevokeDeviceCredentials } from '../api/revoke-device-credentials';

/** Locks a lost or stolen device out (admins): its token stops working at once. */
export function DeviceCredentials({ device }: { device: DeviceSummary }) {
  const can = usePermission('admin');
  const revoke = useRevokeDeviceCredentials(device.deviceId);
  return (
    <section className="panel stack" aria-labelledby="credentials-title">
      <h2 id="credentials-title">Credentials</h2>
      <p className="muted">
        Revoking makes the device&apos;s token fail from its next request. Its data stays; it gets back in only by
        enrolling again with a valid enrolment token.
      </p>
      <div className="row">
        <button
          type="button"
          disabled={!can.allowed || revoke.isPending}
          title={can.reason}
          onClick={() => {
            if (window.confirm(`Revoke the credentials of ${device.name}? It is refused until it enrols again.`))
              revoke.mutate();
          }}
        >
          Revoke credentials
        </button>
      </div>
      {!can.allowed ? <p className="muted">{can.reason}</p> : null}
      {revoke.data ? <p className="notice ok">Credentials revoked at {shortTime(revoke.data.revokedAt)}.</p> : null}
      {revoke.isError ? <p className="notice bad">{revoke.error.message}</p> : null}
    </section>
  );
}
