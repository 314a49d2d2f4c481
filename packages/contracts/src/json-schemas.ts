import { z } from 'zod';
import { TOP_LEVEL_SCHEMAS, type TopLevelSchemaName } from './top-level-schemas.js';

/**
 * JSON Schema (draft 2020-12) of every top-level document, keyed by file name
 * (`HeartbeatRequest.schema.json`). Cross-field rules written as refinements (e.g. "document
 * listed in files") cannot be expressed in JSON Schema and are enforced by the zod schemas only.
 * @example
 * const files = renderJsonSchemas(); // { 'HeartbeatRequest.schema.json': '{…}', … }
 */
export function renderJsonSchemas(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, schema] of Object.entries(TOP_LEVEL_SCHEMAS) as [TopLevelSchemaName, z.ZodType][]) {
    const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
    const doc = { $id: `https://tinymlops.dev/schemas/v1/${name}.schema.json`, title: name, ...json };
    out[`${name}.schema.json`] = `${JSON.stringify(doc, null, 2)}\n`;
  }
  return out;
}
