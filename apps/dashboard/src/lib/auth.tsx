import { SessionInfo, type ApiRole } from '@tinymlops/contracts';
import { useQuery } from '@tanstack/react-query';
import { useSyncExternalStore } from 'react';
import { apiGet } from './api-client';
import { SESSION_PATH } from './session-path';
import { readToken, subscribeToken } from './session-token';

/** The current tab's API token (null when logged out); re-renders on login/logout. */
export function useToken(): string | null {
  return useSyncExternalStore(subscribeToken, readToken);
}

/**
 * The query for who `token` belongs to, shared by the layout and the start-up (which fills it
 * from the request index.html's inline script started).
 * @example
 * await client.prefetchQuery(sessionQuery(readToken()));
 */
export const sessionQuery = (token: string | null) => ({
  queryKey: ['session', token],
  queryFn: () => apiGet(SESSION_PATH, SessionInfo),
});

/** Who the token belongs to (name and role), from `/api/v1/session`. */
export function useSession() {
  const token = useToken();
  return useQuery({ ...sessionQuery(token), enabled: token !== null, refetchInterval: 60_000 });
}

const RANK: Record<ApiRole, number> = { viewer: 0, engineer: 1, admin: 2 };

/**
 * Whether the signed-in role may do something needing `role`, and if not, why — for a
 * disabled control's visible reason.
 * @example
 * const can = usePermission('engineer'); <button disabled={!can.allowed} title={can.reason}>Deploy</button>
 */
export function usePermission(role: ApiRole): { allowed: boolean; reason: string } {
  const session = useSession().data;
  if (!session) return { allowed: false, reason: 'Checking your access…' };
  if (RANK[session.role] >= RANK[role]) return { allowed: true, reason: '' };
  return {
    allowed: false,
    reason: `Your token has the ${session.role} role; this needs ${role}. Ask an admin for an ${role} token.`,
  };
}
