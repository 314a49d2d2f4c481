import type { FieldExportQuery, ModelVersionSummary } from '@tinymlops/contracts';
import { useState } from 'react';
import { PermissionNote } from '../../../components/permission-note';
import { usePermission } from '../../../lib/auth';
import { useDownloadSamples, useLogSamplesToMlflow } from '../api/export-samples';

const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/**
 * Exports the drift samples people labelled for this model as a field dataset for retraining
 * (docs/mlflow.md): optionally narrowed to a version, a capture period, labels and devices;
 * downloaded, or logged to MLflow as a run's artifact and dataset input.
 */
export function ExportForm(props: { modelId: string; versions: ModelVersionSummary[]; mlflow: boolean }) {
  const can = usePermission('engineer');
  const download = useDownloadSamples();
  const toMlflow = useLogSamplesToMlflow();
  const [version, setVersion] = useState('');
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const [classes, setClasses] = useState('');
  const [devices, setDevices] = useState('');
  const query = (): FieldExportQuery => ({
    modelId: props.modelId,
    limit: 10_000,
    ...(version ? { version } : {}),
    ...(since ? { since: new Date(`${since}T00:00:00Z`).toISOString() } : {}),
    ...(until ? { until: new Date(`${until}T00:00:00Z`).toISOString() } : {}),
    ...(list(classes).length ? { class: list(classes) } : {}),
    ...(list(devices).length ? { deviceId: list(devices) } : {}),
  });
  const busy = download.isPending || toMlflow.isPending;
  const error = download.error ?? toMlflow.error;
  return (
    <form
      className="stack"
      style={{ gap: 10 }}
      aria-label="Export validated samples"
      onSubmit={(e) => e.preventDefault()}
    >
      <PermissionNote role="engineer" />
      <div className="row" style={{ alignItems: 'flex-end' }}>
        <label>
          Version
          <select
            aria-label="Export version"
            value={version}
            onChange={(e) => setVersion(e.target.value)}
            disabled={!can.allowed}
          >
            <option value="">any</option>
            {props.versions.map((v) => (
              <option key={v.version} value={v.version}>
                {v.version}
              </option>
            ))}
          </select>
        </label>
        <Field label="Captured from" type="date" value={since} set={setSince} disabled={!can.allowed} />
        <Field label="until (before)" aria="Captured until" type="date" value={until} set={setUntil} disabled={!can.allowed} />
        <Field label="Labels" placeholder="bag, coat" value={classes} set={setClasses} disabled={!can.allowed} />
        <Field label="Devices" placeholder="dev_…" value={devices} set={setDevices} disabled={!can.allowed} />
        <button
          type="button"
          className="primary"
          disabled={!can.allowed || busy}
          title={can.reason}
          onClick={() => download.mutate(query())}
        >
          Download dataset
        </button>
        {props.mlflow ? (
          <button
            type="button"
            disabled={!can.allowed || busy}
            title={can.reason}
            onClick={() => toMlflow.mutate(query())}
          >
            Log to MLflow
          </button>
        ) : null}
      </div>
      {download.isSuccess ? (
        <p className="notice ok" role="status">
          Saved {download.data.fileName} ({Math.max(1, Math.round(download.data.bytes / 1024))} KiB).
        </p>
      ) : null}
      {toMlflow.isSuccess && toMlflow.data ? (
        <p className="notice ok" role="status">
          Logged {toMlflow.data.count} samples to MLflow run {toMlflow.data.runId} ({toMlflow.data.artifactUri}).
        </p>
      ) : null}
      {error ? (
        <p className="notice bad" role="alert">
          Export failed: {error.message}
        </p>
      ) : null}
    </form>
  );
}

/** One labelled input of the filter. */
function Field(props: {
  label: string;
  aria?: string;
  type?: 'date';
  placeholder?: string;
  value: string;
  set: (v: string) => void;
  disabled: boolean;
}) {
  return (
    <label>
      {props.label}
      <input
        aria-label={props.aria ?? props.label}
        {...(props.type ? { type: props.type } : { style: { width: 160 } })}
        placeholder={props.placeholder}
        value={props.value}
        onChange={(e) => props.set(e.target.value)}
        disabled={props.disabled}
      />
    </label>
  );
}
