import { TinyMLOpsError, type ApiRole } from '@tinymlops/contracts';
import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler, RouteOptions } from 'fastify';
import type { AppContext } from '../../app-context.js';
import { bearerToken, hashSecret, parseCredential, sameHash } from './credentials.js';
import { DeviceRateLimit } from './device-rate-limit.js';
import { DeviceTokenCheck } from './device-token-check.js';
import type { DeviceUsage } from '../packages/device-quota.js';

/** The device behind a device request, with its quota counters as its token check read them. */
export interface DevicePrincipal {
  readonly deviceId: string;
  readonly usage: DeviceUsage;
}

/** The person (API token) behind a people request. */
export interface PersonPrincipal {
  readonly tokenId: string;
  readonly name: string;
  readonly role: ApiRole;
}

/**
 * What gates device requests, one per server so all its routes share them: batched token checks,
 * the per-device rate limit, and two limits per client address for who is not (yet) a device:
 * enrolments, and requests whose credentials fail.
 */
export interface DeviceGate {
  readonly tokens: DeviceTokenCheck;
  readonly rateLimit: DeviceRateLimit;
  readonly enrolments: DeviceRateLimit;
  readonly authFailures: DeviceRateLimit;
}

const AUTH_HOOK = Symbol('tinysphere auth hook');

/** An authentication hook: named under any hook of a route, it runs at onRequest (see installAuth). */
export type AuthHook = onRequestAsyncHookHandler & { readonly [AUTH_HOOK]: true };

function authHook(fn: (req: FastifyRequest) => Promise<void>): AuthHook {
  return Object.assign(fn as onRequestAsyncHookHandler, { [AUTH_HOOK]: true as const });
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
 * Declares the request decorations the auth hooks fill in and the server's DeviceGate
 * (`app.deviceGate`), and makes every auth hook run first: a route may name `requireDevice` or
 * `requireRole` under preValidation or preHandler, but Fastify parses the body before those, so a
 * stranger's malformed, mistyped or oversized body would be judged (400/415/413) before its
 * credentials (401). Moved to onRequest, credentials are checked before the body is even read.
 */
export function installAuth(app: FastifyInstance, ctx: AppContext): void {
  app.decorate('deviceGate', {
    tokens: new DeviceTokenCheck(ctx),
    rateLimit: new DeviceRateLimit(ctx.config.deviceRequestsPerMinute),
    enrolments: new DeviceRateLimit(ctx.config.enrolmentsPerMinute, {
      burst: ctx.config.enrolmentsPerMinute,
      subject: 'client',
    }),
    authFailures: new DeviceRateLimit(ctx.config.authFailuresPerMinute, {
      burst: ctx.config.authFailuresPerMinute,
      subject: 'client',
    }),
  });
  app.decorateRequest('device', null);
  app.decorateRequest('person', null);
  app.addHook('onRoute', moveAuthFirst);
}

function moveAuthFirst(route: RouteOptions): void {
  const auth: onRequestAsyncHookHandler[] = [];
  for (const stage of ['preValidation', 'preHandler'] as const) {
    const hooks = [route[stage] ?? []].flat() as onRequestAsyncHookHandler[];
    const rest = hooks.filter((h) => !(AUTH_HOOK in h));
    auth.push(...hooks.filter((h) => AUTH_HOOK in h));
    if (rest.length !== hooks.length) route[stage] = rest as never;
  }
  if (auth.length > 0) route.onRequest = [...[route.onRequest ?? []].flat(), ...auth] as never;
}

/**
 * Counts a request whose credentials failed against its client address; over the limit, such
 * requests are refused (429) before any lookup, so guessing costs the database nothing.
 */
function failedAuth(req: FastifyRequest, ctx: AppContext, message: string): TinyMLOpsError {
  req.server.deviceGate.authFailures.take(req.ip, ctx.now().getTime());
  return new TinyMLOpsError('UNAUTHENTICATED', message);
}

/** 429 when the client address has failed authentication too often (a request without credentials is not a failure). */
function checkAuthFailures(req: FastifyRequest, ctx: AppContext): void {
  if (req.headers.authorization !== undefined) req.server.deviceGate.authFailures.check(req.ip, ctx.now().getTime());
}

/**
 * Enrolment's limit per client address (a stranger may enrol, but not as fast as it likes): over
 * it, 429 RATE_LIMITED with Retry-After.
 * @example
 * app.post('/device/v1/enrol', { onRequest: limitEnrolments(ctx) }, handler);
 */
export function limitEnrolments(ctx: AppContext): onRequestAsyncHookHandler {
  return async (req) => req.server.deviceGate.enrolments.consume(req.ip, ctx.now().getTime());
}

/**
 * Auth hook for /device/v1 routes: a valid device token or 401 UNAUTHENTICATED, and within the
 * device's rate limit or 429 RATE_LIMITED with `Retry-After`.
 * @example
 * app.post('/device/v1/feedback/ack', { preValidation: requireDevice(ctx) }, handler);
 */
export function requireDevice(ctx: AppContext): AuthHook {
  return authHook(async (req) => {
    const { tokens, rateLimit } = req.server.deviceGate;
    checkAuthFailures(req, ctx);
    const cred = parseCredential('tdv', bearerToken(req.headers.authorization) ?? '');
    if (!cred) {
      if (req.headers.authorization === undefined) throw new TinyMLOpsError('UNAUTHENTICATED', DEVICE_TOKEN_REQUIRED);
      throw failedAuth(req, ctx, DEVICE_TOKEN_REQUIRED);
    }
    const usage = await tokens.verify(cred);
    if (!usage) throw failedAuth(req, ctx, 'the device token is not valid');
    rateLimit.consume(cred.id, ctx.now().getTime());
    req.device = { deviceId: cred.id, usage };
  });
}

const DEVICE_TOKEN_REQUIRED = 'a device token is required (Authorization: Bearer tdv_…)';

/**
 * Cheap auth hook checking that a device token is present and well-formed (no database lookup),
 * for routes that verify the token themselves (the heartbeat, which then reports a mismatch
 * through `rejectDeviceToken`).
 */
export function requireDeviceTokenShape(ctx: AppContext): AuthHook {
  return authHook(async (req) => {
    checkAuthFailures(req, ctx);
    if (parseCredential('tdv', bearerToken(req.headers.authorization) ?? '')) return;
    if (req.headers.authorization === undefined) throw new TinyMLOpsError('UNAUTHENTICATED', DEVICE_TOKEN_REQUIRED);
    throw failedAuth(req, ctx, DEVICE_TOKEN_REQUIRED);
  });
}

/** Counts a device token a route found not valid (see requireDeviceTokenShape) and returns its 401. */
export function rejectDeviceToken(req: FastifyRequest, ctx: AppContext, err: TinyMLOpsError): TinyMLOpsError {
  return err.code === 'UNAUTHENTICATED' ? failedAuth(req, ctx, err.message) : err;
}

/**
 * Auth hook for /api/v1 routes: a valid API token whose role is at least `role` (401 without a
 * valid token, 403 with a too weak one).
 * @example
 * app.patch('/api/v1/devices/:id', { preValidation: requireRole(ctx, 'engineer') }, handler);
 */
export function requireRole(ctx: AppContext, role: ApiRole): AuthHook {
  return authHook(async (req) => {
    checkAuthFailures(req, ctx);
    const cred = parseCredential('tap', bearerToken(req.headers.authorization) ?? '');
    if (!cred) {
      const message = 'an API token is required (Authorization: Bearer tap_…)';
      if (req.headers.authorization === undefined) throw new TinyMLOpsError('UNAUTHENTICATED', message);
      throw failedAuth(req, ctx, message);
    }
    const row = await ctx.db
      .selectFrom('api_tokens')
      .select(['id', 'name', 'role', 'token_hash'])
      .where('id', '=', cred.id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (!row || !sameHash(row.token_hash, hashSecret(cred.secret)))
      throw failedAuth(req, ctx, 'the API token is not valid');
    if (RANK[row.role] < RANK[role])
      throw new TinyMLOpsError('FORBIDDEN', `this action needs the ${role} role; the token has ${row.role}`);
    req.person = { tokenId: row.id, name: row.name, role: row.role };
  });
}

/** The authenticated device of a request that passed `requireDevice`. */
export function deviceOf(req: FastifyRequest): string {
  return principalOf(req).deviceId;
}

/** The authenticated device of a request that passed `requireDevice`, with its quota counters. */
export function principalOf(req: FastifyRequest): DevicePrincipal {
  if (!req.device) throw new TinyMLOpsError('UNAUTHENTICATED', 'no device on this request');
  return req.device;
}
