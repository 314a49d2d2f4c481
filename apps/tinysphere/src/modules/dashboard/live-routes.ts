import type { LiveEvent, LiveTopic } from '@tinymlops/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../app-context.js';
import { requireRole } from '../devices/auth.js';
import { liveHub } from './live-hub.js';

/** Which views a successful change to a route concerns (first matching prefix wins). */
const TOPICS_BY_ROUTE: [prefix: string, topics: LiveTopic[]][] = [
  ['/device/v1/heartbeat', ['devices']],
  ['/device/v1/enrol', ['devices']],
  ['/device/v1/feedback', ['feedback', 'drift']],
  ['/device/v1/assignment', ['models', 'devices']],
  ['/api/v1/drift', ['drift', 'feedback']],
  ['/api/v1/adaptations', ['adaptations', 'feedback']],
  ['/api/v1/devices', ['devices']],
  ['/api/v1/settings', ['devices', 'feedback']],
  ['/api/v1/deployments', ['models', 'devices']],
  ['/api/v1/models', ['models']],
  ['/api/v1/mlflow', ['models']],
  ['/api/v1/rollouts', ['rollouts', 'models', 'devices']],
  ['/api/v1/configs', ['rollouts']],
];

/** Between comments on an idle stream, so proxies and the browser keep it open. */
const KEEPALIVE_MS = 15_000;

function changedDevice(req: FastifyRequest): string[] {
  const fromPath = (req.params as { deviceId?: unknown } | undefined)?.deviceId;
  if (typeof fromPath === 'string') return [fromPath];
  return req.device ? [req.device.deviceId] : [];
}

/**
 * `GET /api/v1/live`: server-sent events (`event: change`, a {@link LiveEvent} as data) whenever
 * a device or a person changed something a dashboard shows, so pages refresh without polling.
 * Every successful change through the APIs (and every ingested package) is published.
 */
export function registerLiveRoutes(app: FastifyInstance, ctx: AppContext): void {
  const hub = liveHub(ctx);
  app.addHook('onResponse', async (req, reply) => {
    if (req.method === 'GET' || req.method === 'HEAD' || reply.statusCode >= 400) return;
    const route = req.routeOptions.url ?? '';
    const match = TOPICS_BY_ROUTE.find(([prefix]) => route.startsWith(prefix));
    if (match) hub.publish(match[1], changedDevice(req));
  });
  const open = new Set<() => void>();
  // Open streams would hold the server's close for ever: end them first.
  app.addHook('preClose', async () => {
    for (const end of open) end();
    hub.close();
  });
  app.get(
    '/api/v1/live',
    {
      preHandler: requireRole(ctx, 'viewer'),
      schema: {
        tags: ['metrics'],
        summary: 'Server-sent events: what changed (event "change", data a LiveEvent)',
        produces: ['text/event-stream'],
      },
    },
    async (req, reply) => {
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write('retry: 5000\n: connected\n\n');
      const send = (e: LiveEvent) => res.write(`event: change\nid: ${e.seq}\ndata: ${JSON.stringify(e)}\n\n`);
      const stop = hub.subscribe(send);
      const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
      const end = () => {
        clearInterval(keepalive);
        stop();
        open.delete(end);
        if (!res.writableEnded) res.end();
      };
      open.add(end);
      req.raw.on('close', end);
      res.on('error', end);
    },
  );
}
