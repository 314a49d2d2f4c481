import { TinyMLOpsError, type ApiRole } from '@tinymlops/contracts';
import type { FastifyInstance, FastifyRequest, preValidationAsyncHookHandler } from 'fastify';
import type { AppContext } from '../../app-context.js';
import { bearerToken, hashSecret, parseCredential, sameHash } from './credentials.js';
import { DeviceRateLimit } from './device-rate-limit.js';
import { DeviceTokenCheck } from './device-token-check.js';

/** The device behind a device request. */
export interface DevicePrincipal {
  readonly deviceId: string;
}

/** The person (API token) behind a people request. */
export interface PersonPrincipal {
  readonly tokenId: string;
  readonly name: string;
  readonly role: ApiRole;
}

/** What gates device requests, one per server so all its routes share them: batched token checks and the per-device rate limit. */
export interface DeviceGate {
  readonly tokens: DeviceTokenCheck;
  readonly rateLimit: DeviceRateLimit;
}

declare module 'fastify' {
  interface FastifyInstance {
    deviceGate: DeviceGate;
  }
  interface FastifyRequest {
    device: DevicePrincipal | null;
    person: PersonPrincipal | null;
  }
}

const RANK: Record<ApiRole, number> = { viewer: 0, engineer: 1, admin: 2 };

/**
 * Declares the request decorations the auth hooks fill in (they run before body validation, so
 * anonymous requests get 401, not 400) and the server's DeviceGate (`app.deviceGate`).
 */
export function installAuth(app: FastifyInstance, ctx: AppContext): void {
  app.decorate('deviceGate', {
    tokens: new DeviceTokenCheck(ctx),
    rateLimit: new DeviceRateLimit(ctx.config.deviceRequestsPerMinute),
  });
  app.decorateRequest('device', null);
  app.decorateRequest('person', null);
}

/**
 * Pre-validation hook for /device/v1 routes: a valid device token or 401 UNAUTHENTICATED, and
 * within the device's rate limit or 429 RATE_LIMITED with `Retry-After`.
 * @example
 * app.post('/device/v1/heartbeat', { preValidation: requireDevice(ctx) }, handler);
 */
export function requireDevice(ctx: AppContext): preValidationAsyncHookHandler {
  return async (req: FastifyRequest) => {
    const { tokens, rateLimit } = req.server.deviceGate;
    const cred = parseCredential('tdv', bearerToken(req.headers.authorization) ?? '');
    if (!cred) throw new TinyMLOpsError('UNAUTHENTICATED', 'a device token is required (Authorization: Bearer tdv_…)');
    if (!(await tokens.verify(cred))) {
      throw new TinyMLOpsError('UNAUTHENTICATED', 'the device token is not valid');
    }
    rateLimit.consume(cred.id, ctx.now().getTime());
    req.device = { deviceId: cred.id };
  };
}

/**
 * Cheap pre-validation check that a device token is present and well-formed (no database
 * lookup), for routes that verify the token themselves (the heartbeat): an anonymous request
 * gets 401 before its body is judged.
 */
export function requireDeviceTokenShape(): preValidationAsyncHookHandler {
  return async (req: FastifyRequest) => {
    if (!parseCredential('tdv', bearerToken(req.headers.authorization) ?? '')) {
      throw new TinyMLOpsError('UNAUTHENTICATED', 'a device token is required (Authorization: Bearer tdv_…)');
    }
  };
}

/**
 * Pre-validation hook for /api/v1 routes: a valid API token whose role is at least `role`
 * (401 without a valid token, 403 with a too weak one).
 * @example
 * app.patch('/api/v1/devices/:id', { preValidation: requireRole(ctx, 'engineer') }, handler);
 */
export function requireRole(ctx: AppContext, role: ApiRole): preValidationAsyncHookHandler {
  return async (req: FastifyRequest) => {
    const cred = parseCredential('tap', bearerToken(req.headers.authorization) ?? '');
    if (!cred) throw new TinyMLOpsError('UNAUTHENTICATED', 'an API token is required (Authorization: Bearer tap_…)');
    const row = await ctx.db
      .selectFrom('api_tokens')
      .select(['id', 'name', 'role', 'token_hash'])
      .where('id', '=', cred.id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (!row || !sameHash(row.token_hash, hashSecret(cred.secret))) {
      throw new TinyMLOpsError('UNAUTHENTICATED', 'the API token is not valid');
    }
    if (RANK[row.role] < RANK[role])
      throw new TinyMLOpsError('FORBIDDEN', `this action needs the ${role} role; the token has ${row.role}`);
    req.person = { tokenId: row.id, name: row.name, role: row.role };
  };
}

/** The authenticated device of a request that passed `requireDevice`. */
export function deviceOf(req: FastifyRequest): string {
  if (!req.device) throw new TinyMLOpsError('UNAUTHENTICATED', 'no device on this request');
  return req.device.deviceId;
}
