import { useState } from 'react';
import { usePermission } from '../../../lib/auth';
import { useSetAlias } from '../api/set-alias';

/** Points an alias (production, canary, …) of the model at the selected version. */
export function AliasForm(props: { modelId: string; version: string }) {
  const can = usePermission('engineer');
  const set = useSetAlias();
  const [alias, setAlias] = useState('production');
  const valid = /^[a-z][a-z0-9-]{0,31}$/.test(alias);
  return (
    <form
      className="row"
      style={{ alignItems: 'flex-end', marginTop: 12 }}
      onSubmit={(e) => {
        e.preventDefault();
        set.mutate({ modelId: props.modelId, alias, version: props.version });
      }}
    >
      <label>
        Alias
        <input
          value={alias}
          onChange={(e) => setAlias(e.target.value)}
          disabled={!can.allowed}
          maxLength={32}
          style={{ width: 160 }}
        />
      </label>
      <button type="submit" disabled={!can.allowed || !valid || set.isPending} title={can.reason}>
        Point {alias || 'alias'} at {props.version}
      </button>
      {set.isSuccess ? (
        <span className="muted small" role="status">
          Alias updated.
        </span>
      ) : null}
      {set.isError ? (
        <span className="notice bad" role="alert">
          {set.error.message}
        </span>
      ) : null}
      {!valid && alias ? <span className="muted small">lower-case letters, digits and dashes</span> : null}
    </form>
  );
}
