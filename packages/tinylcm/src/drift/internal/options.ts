import { TinyMLOpsError } from '@tinymlops/contracts';

/** The allowed range of a numeric option. */
export interface NumberRule {
  readonly min?: number;
  readonly max?: number;
  /** True when `min` itself is not allowed. */
  readonly minExclusive?: boolean;
  /** True when `max` itself is not allowed. */
  readonly maxExclusive?: boolean;
  readonly integer?: boolean;
}

function describe(rule: NumberRule): string {
  const parts: string[] = [rule.integer ? 'an integer' : 'a finite number'];
  if (rule.min !== undefined) parts.push(`${rule.minExclusive ? '>' : '>='} ${rule.min}`);
  if (rule.max !== undefined) parts.push(`${rule.maxExclusive ? '<' : '<='} ${rule.max}`);
  return parts.join(' ');
}

function fail(detector: string, name: string, expected: string, got: unknown): never {
  const shown = typeof got === 'string' ? JSON.stringify(got) : String(got);
  throw new TinyMLOpsError('INVALID_OPTION', `${detector}: option "${name}" must be ${expected}, got ${shown}`);
}

/** Returns `value` if it satisfies `rule`, else throws INVALID_OPTION naming the option and its range. */
export function checkNumber(detector: string, name: string, value: unknown, rule: NumberRule): number {
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!rule.integer || Number.isInteger(value)) &&
    (rule.min === undefined || (rule.minExclusive ? value > rule.min : value >= rule.min)) &&
    (rule.max === undefined || (rule.maxExclusive ? value < rule.max : value <= rule.max));
  if (!ok) fail(detector, name, describe(rule), value);
  return value as number;
}

/** Returns `value` if it is one of `allowed`, else throws INVALID_OPTION listing them. */
export function checkOneOf<T extends string>(detector: string, name: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) fail(detector, name, `one of ${allowed.map((a) => `"${a}"`).join(', ')}`, value);
  return value as T;
}

/** Returns `value` if it is a boolean. */
export function checkBoolean(detector: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') fail(detector, name, 'a boolean', value);
  return value;
}

/**
 * Merges user options over defaults. Keys set to `undefined` keep the default; unknown keys throw,
 * because a misspelt option in a config file would otherwise be silently ignored.
 */
export function withDefaults<T extends object>(detector: string, defaults: T, options: object | undefined): T {
  const merged: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const [key, value] of Object.entries(options ?? {})) {
    if (!(key in defaults)) {
      const known = Object.keys(defaults).join(', ');
      throw new TinyMLOpsError('INVALID_OPTION', `${detector}: unknown option "${key}" (known: ${known})`);
    }
    if (value !== undefined) merged[key] = value;
  }
  return merged as T;
}
