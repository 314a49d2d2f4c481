import { issuesToDetails, TinyMLOpsError } from '@tinymlops/contracts';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { z } from 'zod';

const PARTS = ['body', 'querystring', 'params', 'headers'] as const;

function isZod(s: unknown): s is z.ZodType {
  return typeof s === 'object' && s !== null && 'safeParse' in s;
}

/**
 * Makes Fastify validate route schemas written as contracts' zod schemas: a failure becomes a
 * `VALIDATION_FAILED` TinyMLOpsError naming each bad field, and the parsed value (with defaults
 * and coercions) replaces the raw input. Responses are serialised with JSON.stringify.
 * @example
 * installZodValidation(app);
 * app.post('/x', { schema: { body: HeartbeatRequest } }, handler);
 */
export function installZodValidation(app: FastifyInstance): void {
  app.setValidatorCompiler(({ schema, httpPart }) => {
    if (!isZod(schema)) return () => ({ value: undefined });
    return (data: unknown) => {
      const r = schema.safeParse(data);
      if (r.success) return { value: r.data };
      const details = issuesToDetails(r.error.issues);
      const where = httpPart === 'body' ? 'body' : (httpPart ?? 'request');
      const summary = details.map((d) => `${d.path}: ${d.message}`).join('; ');
      return { error: new TinyMLOpsError('VALIDATION_FAILED', `invalid ${where}: ${summary}`, { details }) };
    };
  });
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
}

/** Turns zod route schemas into JSON Schema for the OpenAPI document (`@fastify/swagger` transform). */
export function zodToOpenApi({ schema, url }: { schema: FastifySchema; url: string }): {
  schema: FastifySchema;
  url: string;
} {
  if (!schema) return { schema, url };
  const out: Record<string, unknown> = { ...schema };
  for (const part of PARTS) {
    const s = schema[part];
    if (isZod(s)) out[part] = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' });
  }
  // A route that takes raw bytes (a bundle archive) documents them as a binary body of its media types.
  const consumes = (schema as { consumes?: string[] }).consumes;
  if (!schema.body && consumes?.length) out['body'] = { type: 'string', format: 'binary' };
  if (schema.response && typeof schema.response === 'object') {
    const response: Record<string, unknown> = {};
    for (const [code, s] of Object.entries(schema.response as Record<string, unknown>)) {
      response[code] = isZod(s)
        ? z.toJSONSchema(s, { io: 'output', unrepresentable: 'any', target: 'draft-2020-12' })
        : s;
    }
    out['response'] = response;
  }
  return { schema: out as FastifySchema, url };
}
