import { TinyMLOpsError, issuesToDetails } from '@tinymlops/contracts';
import type { z } from 'zod';

function shown(value: unknown): string {
  return typeof value === 'string' || (typeof value === 'object' && value !== null)
    ? JSON.stringify(value)
    : String(value);
}

function optionMessage(detector: string, options: unknown, issue: z.core.$ZodIssue): string {
  const key = issue.path[0];
  if (key === undefined) return `${detector}: ${issue.message}`;
  const got = (options as Record<PropertyKey, unknown>)[key];
  return `${detector}: option "${String(key)}" ${issue.message}, got ${shown(got)}`;
}

/**
 * Applies defaults to a detector's options and validates them with the kind's contracts schema
 * (the one statement of each option's name, range and default). Keys set to `undefined` keep the
 * default; an unknown key or a value out of range throws INVALID_OPTION naming the option.
 * @example
 * const o = parseOptions('CUSUM', CUSUMOptions, { h: 10 }); // { minInstances: 30, k: 0.5, h: 10 }
 */
export function parseOptions<S extends z.ZodType>(detector: string, schema: S, options: unknown): z.output<S> {
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options)))
    throw new TinyMLOpsError('INVALID_OPTION', `${detector}: options must be an object, got ${shown(options)}`);
  const given = Object.fromEntries(Object.entries(options ?? {}).filter(([, v]) => v !== undefined));
  const r = schema.safeParse(given);
  if (r.success) return r.data;
  const first = r.error.issues[0]!;
  throw new TinyMLOpsError('INVALID_OPTION', optionMessage(detector, given, first), {
    details: issuesToDetails(r.error.issues),
  });
}
