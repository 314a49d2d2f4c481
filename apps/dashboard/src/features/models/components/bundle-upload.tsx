import { useRef } from 'react';
import { PermissionNote } from '../../../components/permission-note';
import { usePermission } from '../../../lib/auth';
import { useUploadBundle } from '../api/upload-bundle';

/**
 * Registers a model bundle from a file (`tinysphere bundle build` writes one): the server checks
 * its manifest, hashes and signature and answers the new version, or says what is wrong.
 */
export function BundleUpload({ onUploaded }: { onUploaded?: (modelId: string) => void }) {
  const can = usePermission('engineer');
  const upload = useUploadBundle();
  const file = useRef<HTMLInputElement>(null);
  return (
    <section className="panel stack" aria-label="Upload a bundle" style={{ gap: 8 }}>
      <h2 style={{ margin: 0 }}>Upload a bundle</h2>
      <PermissionNote role="engineer" />
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          const f = file.current?.files?.[0];
          if (f) upload.mutate(f, { onSuccess: (v) => onUploaded?.(v.modelId) });
        }}
      >
        <label className="inline">
          Bundle file (.tar.gz)
          <input ref={file} type="file" accept=".tar.gz,.tgz,application/gzip" disabled={!can.allowed} />
        </label>
        <button type="submit" className="primary" disabled={!can.allowed || upload.isPending} title={can.reason}>
          {upload.isPending ? 'Uploading…' : 'Upload'}
        </button>
      </form>
      {upload.isSuccess ? (
        <p className="notice ok" role="status">
          Registered {upload.data.modelId}@{upload.data.version} ({(upload.data.bundleSize / 1024).toFixed(0)} KiB
          {upload.data.signedBy ? `, signed by ${upload.data.signedBy}` : ', unsigned'}).
        </p>
      ) : null}
      {upload.isError ? (
        <p className="notice bad" role="alert">
          Upload refused: {upload.error.message}
        </p>
      ) : null}
    </section>
  );
}
