import { AccessTokenList, SessionInfo, TinyMLOpsError } from '@tinymlops/contracts';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app-context.js';
import { requireRole } from './auth.js';

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

/** Who am I (`/api/v1/session`, any role) and the token lists for admins (`/api/v1/access-tokens`). */
export function registerAccessRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/api/v1/session',
    { preHandler: requireRole(ctx, 'viewer'), schema: { tags: ['access'], response: { 200: SessionInfo } } },
    async (req): Promise<SessionInfo> => {
      if (!req.person) throw new TinyMLOpsError('UNAUTHENTICATED', 'no API token on this request');
      return { schemaVersion: 1, tokenId: req.person.tokenId, name: req.person.name, role: req.person.role };
    },
  );
  app.get(
    '/api/v1/access-tokens',
    { preHandler: requireRole(ctx, 'admin'), schema: { tags: ['access'], response: { 200: AccessTokenList } } },
    async (): Promise<AccessTokenList> => {
      const api = await ctx.db
        .selectFrom('api_tokens')
        .select(['id', 'name', 'role', 'created_at', 'revoked_at'])
        .orderBy('created_at', 'desc')
        .limit(500)
        .execute();
      const enrol = await ctx.db
        .selectFrom('enrolment_tokens')
        .select(['id', 'uses_left', 'expires_at', 'created_at'])
        .orderBy('created_at', 'desc')
        .limit(500)
        .execute();
      return {
        schemaVersion: 1,
        apiTokens: api.map((t) => ({
          tokenId: t.id,
          name: t.name,
          role: t.role,
          createdAt: new Date(t.created_at).toISOString(),
          revokedAt: iso(t.revoked_at),
        })),
        enrolmentTokens: enrol.map((t) => ({
          tokenId: t.id,
          usesLeft: t.uses_left,
          expiresAt: iso(t.expires_at),
          createdAt: new Date(t.created_at).toISOString(),
        })),
      };
    },
  );
}
