import type { AccessTokenList } from '@tinymlops/contracts';
import { useState } from 'react';
import { shortTime } from '../../../lib/format-time';
import { useCreateEnrolmentToken } from '../api/create-enrolment-token';
import { SecretOnce } from './secret-once';

/** Enrolment tokens that let new devices join: list and create (admin). */
export function EnrolmentTokens({ tokens }: { tokens: AccessTokenList['enrolmentTokens'] }) {
  const create = useCreateEnrolmentToken();
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
      <table className="table">
        <thead>
          <tr>
            <th>Token id</th>
            <th>Uses left</th>
            <th>Expires</th>
            <th>Created</th>
          </tr>
        </thead>
        <tbody>
          {tokens.length === 0 ? (
            <tr>
              <td colSpan={4} className="muted">
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
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
