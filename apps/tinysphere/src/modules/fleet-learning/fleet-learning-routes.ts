import { FleetLearningPolicy } from '@tinymlops/contracts';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app-context.js';
import { requireRole } from '../devices/auth.js';
import { fleetPolicy, setFleetPolicy } from './fleet-policy.js';

/** The fleet-learning policy: people read it, engineers set it. */
export function registerFleetLearningRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/api/v1/fleet-learning/policy',
    {
      preValidation: requireRole(ctx, 'viewer'),
      schema: { tags: ['fleet-learning'], response: { 200: FleetLearningPolicy } },
    },
    async () => fleetPolicy(ctx.db),
  );
  app.put(
    '/api/v1/fleet-learning/policy',
    {
      preValidation: requireRole(ctx, 'engineer'),
      schema: { tags: ['fleet-learning'], body: FleetLearningPolicy, response: { 200: FleetLearningPolicy } },
    },
    async (req) => {
      await setFleetPolicy(ctx.db, req.body as FleetLearningPolicy);
      return fleetPolicy(ctx.db);
    },
  );
}
