import type { DeviceSummary, DeviceUpdate } from '@tinymlops/contracts';
import { useState } from 'react';
import { usePermission } from '../../../lib/auth';
import { useUpdateDevice } from '../api/update-device';

/** Comma-separated tags as the API wants them: trimmed, no empties, no repeats. */
const parseTags = (text: string) => [
  ...new Set(
    text
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean),
  ),
];

/** The fields of the form, as text. */
function initial(device: DeviceSummary) {
  return {
    name: device.name ?? '',
    group: device.group ?? '',
    tags: device.tags.join(', '),
    place: device.location?.description ?? '',
  };
}

/**
 * Name, group, tags and place of a device (engineers); groups and tags are what deployments
 * target. Viewers see the form disabled with the reason.
 */
export function DeviceEditForm({ device }: { device: DeviceSummary }) {
  const can = usePermission('engineer');
  const update = useUpdateDevice(device.deviceId);
  const [f, setF] = useState(() => initial(device));
  const set = (k: keyof typeof f) => (e: React.ChangeEvent<HTMLInputElement>) => setF({ ...f, [k]: e.target.value });
  const body = (): DeviceUpdate => ({
    ...(f.name.trim() ? { name: f.name.trim() } : {}),
    group: f.group.trim() || null,
    tags: parseTags(f.tags),
    location: f.place.trim() ? { ...device.location, description: f.place.trim() } : null,
  });
  return (
    <section className="panel stack" aria-labelledby="edit-device-title">
      <h2 id="edit-device-title">Name, group and tags</h2>
      <form
        className="row"
        style={{ alignItems: 'flex-end', flexWrap: 'wrap' }}
        onSubmit={(e) => {
          e.preventDefault();
          update.mutate(body());
        }}
      >
        <fieldset
          disabled={!can.allowed || update.isPending}
          title={can.reason}
          className="row"
          style={{ border: 0, padding: 0, margin: 0, flexWrap: 'wrap' }}
        >
          <label>
            Device name
            <input value={f.name} onChange={set('name')} maxLength={128} placeholder="shelf-camera-1" />
          </label>
          <label>
            Group
            <input value={f.group} onChange={set('group')} maxLength={64} placeholder="berlin" />
          </label>
          <label>
            Tags
            <input value={f.tags} onChange={set('tags')} placeholder="shelf, night" />
          </label>
          <label>
            Place
            <input value={f.place} onChange={set('place')} maxLength={256} placeholder="store 12, aisle 3" />
          </label>
          <button type="submit" className="primary">
            Save
          </button>
        </fieldset>
      </form>
      {!can.allowed ? <p className="muted">{can.reason}</p> : null}
      {update.isSuccess ? <p className="notice ok">Saved.</p> : null}
      {update.isError ? <p className="notice bad">{update.error.message}</p> : null}
    </section>
  );
}
