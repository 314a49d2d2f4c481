import type { ErrorDetail } from '@tinymlops/contracts';
import { useState } from 'react';
import { PermissionNote } from '../../../components/permission-note';
import { ApiError } from '../../../lib/api-client';
import { usePermission } from '../../../lib/auth';
import { useCreateConfigVersion } from '../api/config-versions';

const EXAMPLE = JSON.stringify({ mode: 'server-assisted', syncIntervalSeconds: 60 }, null, 2);

/** The server's messages for one field (`config` takes everything under it). */
function FieldErrors(props: { details: readonly ErrorDetail[]; field: string; label: string }) {
  const mine = props.details.filter((d) => d.path === props.field || d.path.startsWith(`${props.field}.`));
  if (mine.length === 0) return null;
  return (
    <ul className="notice bad small" role="alert" aria-label={props.label} style={{ margin: 0 }}>
      {mine.map((d) => (
        <li key={d.path + d.message}>
          <code>{d.path}</code>: {d.message}
        </li>
      ))}
    </ul>
  );
}

/** Only the paths inside the body: the server may prefix them with `body.`. */
const bodyDetails = (e: unknown) =>
  e instanceof ApiError ? e.details.map((d) => ({ ...d, path: d.path.replace(/^body\./, '') })) : [];

/**
 * Creates an immutable configuration version: a name, a version and the settings as JSON (the
 * server-controllable subset of device.json). The server checks it against the device
 * configuration schema; what it refuses is shown next to the field it names.
 */
export function ConfigVersionForm() {
  const can = usePermission('engineer');
  const create = useCreateConfigVersion();
  const [configId, setConfigId] = useState('');
  const [version, setVersion] = useState('1.0.0');
  const [description, setDescription] = useState('');
  const [json, setJson] = useState(EXAMPLE);
  const [syntax, setSyntax] = useState<string | null>(null);
  const details = bodyDetails(create.error);
  const named = details.some((d) => /^(config|version|description)(\.|$)/.test(d.path));
  const submit = () => {
    let config: unknown;
    try {
      config = JSON.parse(json);
      setSyntax(null);
    } catch (e) {
      setSyntax(`Not JSON: ${(e as Error).message}`);
      return;
    }
    const body = { version, config, ...(description.trim() ? { description: description.trim() } : {}) };
    create.mutate({ configId: configId.trim(), body: body as Parameters<typeof create.mutate>[0]['body'] });
  };
  const off = !can.allowed;
  return (
    <form
      className="stack"
      style={{ gap: 10 }}
      aria-label="New configuration version"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <PermissionNote role="engineer" />
      <div className="row" style={{ alignItems: 'flex-end' }}>
        <label>
          Configuration
          <input
            aria-label="Configuration name"
            value={configId}
            onChange={(e) => setConfigId(e.target.value)}
            placeholder="shelf-cameras"
            disabled={off}
          />
        </label>
        <label>
          Version
          <input
            aria-label="Configuration version"
            value={version}
            onChange={(e) => setVersion(e.target.value)}
            disabled={off}
            style={{ width: 90 }}
          />
        </label>
        <label style={{ flex: 1 }}>
          Description
          <input value={description} onChange={(e) => setDescription(e.target.value)} disabled={off} />
        </label>
      </div>
      <FieldErrors details={details} field="version" label="Version errors" />
      <label>
        Settings (JSON: mode, drift, syncIntervalSeconds, budgets, sampling)
        <textarea
          aria-label="Configuration JSON"
          className="mono"
          rows={8}
          value={json}
          onChange={(e) => setJson(e.target.value)}
          disabled={off}
          spellCheck={false}
          aria-invalid={syntax !== null || details.some((d) => d.path.startsWith('config'))}
        />
      </label>
      {syntax ? (
        <p className="notice bad small" role="alert">
          {syntax}
        </p>
      ) : null}
      <FieldErrors details={details} field="config" label="Configuration errors" />
      <div className="row">
        <button type="submit" className="primary" disabled={off || !configId.trim() || create.isPending}>
          Create version
        </button>
      </div>
      {create.isSuccess && create.data ? (
        <p className="notice ok" role="status">
          Stored {create.data.configId}@{create.data.version}. Roll it out below.
        </p>
      ) : null}
      {create.isError && !named ? (
        <p className="notice bad" role="alert">
          The server refused it: {create.error.message}
        </p>
      ) : null}
    </form>
  );
}
