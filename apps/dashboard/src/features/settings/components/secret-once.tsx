/** Shows a just-created secret with a copy button and the warning that it is shown only once. */
export function SecretOnce({ label, secret }: { label: string; secret: string }) {
  return (
    <div className="notice ok" role="status">
      <strong>{label}</strong> — copy it now; it is shown only once.
      <div className="row" style={{ marginTop: 6 }}>
        <code style={{ overflowWrap: 'anywhere' }} data-testid="new-secret">
          {secret}
        </code>
        <button type="button" onClick={() => void navigator.clipboard?.writeText(secret)}>
          Copy
        </button>
      </div>
    </div>
  );
}
