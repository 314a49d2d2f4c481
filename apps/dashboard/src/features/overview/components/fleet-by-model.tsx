import type { FleetOverview } from '@tinymlops/contracts';

/** How many devices run each model version (as they last reported), largest share first. */
export function FleetByModel({ rows }: { rows: NonNullable<FleetOverview['fleetByModel']> }) {
  const total = rows.reduce((n, r) => n + r.devices, 0);
  return (
    <section className="panel" aria-labelledby="fleet-model-title">
      <h2 id="fleet-model-title">Fleet by model version</h2>
      {rows.length === 0 ? (
        <p className="muted small">No devices yet.</p>
      ) : (
        <ul className="bars" aria-label="Devices per model version">
          {rows.map((r) => {
            const name = r.model ? `${r.model.modelId}@${r.model.version}` : 'no model reported';
            return (
              <li key={name}>
                <span>{name}</span>
                <span className="bar" style={{ width: `${Math.max(2, (100 * r.devices) / Math.max(1, total))}%` }} />
                <strong>{r.devices}</strong>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
