import type { AccessTokenList } from '@tinymlops/contracts';
import { useState } from 'react';
import { shortTime } from '../../../lib/format-time';
import { useCreateEnrolmentToken } from '../api/create-enrolment-token';
import { useRevokeToken } from '../api/revoke-token';
import { SecretOnce } from './secret-once';

/** Whether a token can still enrol a device. */
const usable = (t: AccessTokenList['enrolmentTokens'][number]) =>
  t.usesLeft !== 0 && (t.expiresAt === null || Date.parse(t.expiresAt) > Date.now());

/** Enrolment tokens that let new devices join: list, create and revoke (admin). */
export function EnrolmentTokens({ tokens }: { tokens: AccessTokenList['enrolmentTokens'] }) {
  const create = useCreateEnrolmentToken();
  const revoke = useRevokeToken();
  const [uses, setUses] = useState(10);
  const [days, setDays] = useState(7);
  return (
    <section className="panel stack" aria-labelledby="enrol-title">
      <h2 id="enrol-title">Enrolment tokens</h2>
      <form
        className="row"
        style={{ alignItems: 'flex-end' }}
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate({ uses, expiresInSeconds: days * 86_400 });
        }}
      >
        <label>
          Devices it may enrol
          <input
            type="number"
            min={1}
            max={1_000_000}
            value={uses}
            onChange={(e) => setUses(Number(e.target.value))}
            style={{ width: 120 }}
          />
        </label>
        <label>
          Valid for (days)
          <input
            type="number"
            min={1}
            max={366}
            value={days}
            onChange={(e) => setDays(Number(e.target.value))}
            style={{ width: 100 }}
          />
        </label>
        <button type="submit" className="primary" disabled={create.isPending}>
          Create enrolment token
        </button>
      </form>
      {create.data ? <SecretOnce label="Enrolment token" secret={create.data.enrolmentToken} /> : null}
      {create.isError ? <p className="notice bad">{create.error.message}</p> : null}
      {revoke.isError ? <p className="notice bad">{revoke.error.message}</p> : null}
      <table className="table">
        <thead>
          <tr>
            <th>Token id</th>
            <th>Uses left</th>
            <th>Expires</th>
            <th>Created</th>
            <th>
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {tokens.length === 0 ? (
            <tr>
              <td colSpan={5} className="muted">
                None yet. Devices enrol with a token made here (or the demo&apos;s open token).
              </td>
            </tr>
          ) : null}
          {tokens.map((t) => (
            <tr key={t.tokenId}>
              <td className="mono">{t.tokenId}</td>
              <td>{t.usesLeft ?? 'unlimited'}</td>
              <td>{t.expiresAt ? shortTime(t.expiresAt) : 'never'}</td>
              <td className="muted">{shortTime(t.createdAt)}</td>
              <td>
                {usable(t) ? (
                  <button
                    type="button"
                    aria-label={`Revoke ${t.tokenId}`}
                    disabled={revoke.isPending}
                    title="No further device can enrol with it; enrolled devices keep working"
                    onClick={() => {
                      if (window.confirm(`Revoke enrolment token ${t.tokenId}? No further device can enrol with it.`))
                        revoke.mutate({ kind: 'enrolment', tokenId: t.tokenId });
                    }}
                  >
                    Revoke
                  </button>
                ) : (
                  <span className="muted">unusable</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
