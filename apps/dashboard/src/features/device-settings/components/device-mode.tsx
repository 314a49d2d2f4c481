import { OPERATIONAL_MODES, type OperationalMode } from '@tinymlops/contracts';
import { useState } from 'react';
import { QueryState } from '../../../components/query-state';
import { usePermission } from '../../../lib/auth';
import { DeliveryPill } from '../../feedback/components/delivery-pill';
import { useDeviceSettings, useSetDeviceMode } from '../api/device-mode';

/**
 * The device's operational mode as the server controls it: where it comes from (a rule for the
 * device, its group, or its own device.json), what the device reports, and a control to change it
 * without a restart.
 */
export function DeviceMode(props: { deviceId: string }) {
  const query = useDeviceSettings(props.deviceId);
  const set = useSetDeviceMode(props.deviceId);
  const can = usePermission('engineer');
  const [choice, setChoice] = useState<OperationalMode | ''>('');
  return (
    <section className="panel stack" aria-labelledby="mode-title">
      <h2 id="mode-title">Mode</h2>
      <QueryState query={query}>
        {(s) => (
          <>
            <p>
              Runs <strong>{s.reportedMode ?? 'unknown'}</strong>; the server wants{' '}
              <strong>{s.desired.mode ?? 'its own device.json mode'}</strong> (from {s.desired.source})
              {s.delivery ? (
                <>
                  {' · revision '}
                  {s.delivery.revision}: <DeliveryPill status={s.delivery.status} reason={s.delivery.reason} />
                </>
              ) : null}
            </p>
            <form
              className="row"
              onSubmit={(e) => {
                e.preventDefault();
                set.mutate(choice === '' ? null : choice);
              }}
            >
              <label className="inline">
                Set mode
                <select value={choice} onChange={(e) => setChoice(e.target.value as OperationalMode | '')}>
                  <option value="">device.json / group</option>
                  {OPERATIONAL_MODES.map((m) => (
                    <option key={m} value={m}>
                      {m}
                    </option>
                  ))}
                </select>
              </label>
              <button type="submit" disabled={!can.allowed || set.isPending}>
                Apply
              </button>
            </form>
            {!can.allowed ? <p className="muted">{can.reason}</p> : null}
            {set.isError ? <p className="notice bad">{set.error.message}</p> : null}
          </>
        )}
      </QueryState>
    </section>
  );
}
