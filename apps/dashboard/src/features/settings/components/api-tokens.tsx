import type { AccessTokenList, ApiRole } from '@tinymlops/contracts';
import { useState } from 'react';
import { Pill } from '../../../components/pill';
import { shortTime } from '../../../lib/format-time';
import { useSession } from '../../../lib/auth';
import { useCreateApiToken } from '../api/create-api-token';
import { useRevokeToken } from '../api/revoke-token';
import { SecretOnce } from './secret-once';

/** API tokens for people and scripts: list, create and revoke (admin). */
export function ApiTokens({ tokens }: { tokens: AccessTokenList['apiTokens'] }) {
  const create = useCreateApiToken();
  const revoke = useRevokeToken();
  const myTokenId = useSession().data?.tokenId;
  const [name, setName] = useState('');
  const [role, setRole] = useState<ApiRole>('viewer');
  return (
    <section className="panel stack" aria-labelledby="api-tokens-title">
      <h2 id="api-tokens-title">API tokens</h2>
      <form
        className="row"
        style={{ alignItems: 'flex-end' }}
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate({ name: name.trim(), role });
          setName('');
        }}
      >
        <label>
          Name
          <input
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="alice laptop"
            required
            maxLength={128}
          />
        </label>
        <label>
          Role
          <select aria-label="Role" value={role} onChange={(e) => setRole(e.target.value as ApiRole)}>
            <option value="viewer">viewer — reads</option>
            <option value="engineer">engineer — validates, deploys</option>
            <option value="admin">admin — manages access</option>
          </select>
        </label>
        <button type="submit" className="primary" disabled={!name.trim() || create.isPending}>
          Create API token
        </button>
      </form>
      {create.data ? (
        <SecretOnce label={`Token for ${create.data.name} (${create.data.role})`} secret={create.data.apiToken} />
      ) : null}
      {create.isError ? <p className="notice bad">{create.error.message}</p> : null}
      {revoke.isError ? <p className="notice bad">{revoke.error.message}</p> : null}
      <table className="table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Role</th>
            <th>Created</th>
            <th>State</th>
            <th>
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {tokens.map((t) => (
            <tr key={t.tokenId}>
              <td>{t.name}</td>
              <td>{t.role}</td>
              <td className="muted">{shortTime(t.createdAt)}</td>
              <td>{t.revokedAt ? <Pill tone="neutral">revoked</Pill> : <Pill tone="ok">active</Pill>}</td>
              <td>
                {t.revokedAt ? null : (
                  <button
                    type="button"
                    aria-label={`Revoke ${t.name}`}
                    disabled={t.tokenId === myTokenId || revoke.isPending}
                    title={
                      t.tokenId === myTokenId ? 'This is the token you are signed in with' : 'It stops working at once'
                    }
                    onClick={() => {
                      if (window.confirm(`Revoke the API token of ${t.name}? It stops working at once.`))
                        revoke.mutate({ kind: 'api', tokenId: t.tokenId });
                    }}
                  >
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
