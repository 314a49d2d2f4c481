import {
  AccessTokenList,
  DeviceCredentialRevocation,
  SessionInfo,
  TinyMLOpsError,
  TokenRevocation,
} from '@tinymlops/contracts';
import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app-context.js';
import { requireRole } from './auth.js';
import { revokeApiToken, revokeDeviceCredentials, revokeEnrolmentToken } from './tokens.js';

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

const TokenParams = z.strictObject({ tokenId: z.string().min(1).max(64) });
const DeviceParams = z.strictObject({ deviceId: z.string().min(1).max(64) });

/**
 * Who am I (`/api/v1/session`, any role), the token lists for admins (`/api/v1/access-tokens`)
 * and revocation (`DELETE /api/v1/api-tokens/{tokenId}`, `DELETE /api/v1/enrolment-tokens/{tokenId}`).
 */
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
  registerRevocationRoutes(app, ctx);
}

function registerRevocationRoutes(app: FastifyInstance, ctx: AppContext): void {
  const schema = { tags: ['access'], params: TokenParams, response: { 200: TokenRevocation } };
  app.delete('/api/v1/api-tokens/:tokenId', { preValidation: requireRole(ctx, 'admin'), schema }, async (req) => {
    const { tokenId } = req.params as z.infer<typeof TokenParams>;
    // Revoking the token of this very request would lock its admin out mid-session.
    if (req.person?.tokenId === tokenId)
      throw new TinyMLOpsError('CONFLICT', 'this is the token you are using; revoke it with another admin token');
    return revokeApiToken(ctx.db, tokenId, ctx.now());
  });
  app.delete('/api/v1/enrolment-tokens/:tokenId', { preValidation: requireRole(ctx, 'admin'), schema }, async (req) =>
    revokeEnrolmentToken(ctx.db, (req.params as z.infer<typeof TokenParams>).tokenId, ctx.now()),
  );
  app.delete(
    '/api/v1/devices/:deviceId/credentials',
    {
      preValidation: requireRole(ctx, 'admin'),
      schema: { tags: ['access'], params: DeviceParams, response: { 200: DeviceCredentialRevocation } },
    },
    async (req) => revokeDeviceCredentials(ctx.db, (req.params as z.infer<typeof DeviceParams>).deviceId, ctx.now()),
  );
}
