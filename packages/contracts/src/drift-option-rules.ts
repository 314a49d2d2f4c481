import { z } from 'zod';

/** The allowed range of a numeric detector option. */
export interface NumberRule {
  readonly min?: number;
  readonly max?: number;
  /** True when `min` itself is not allowed. */
  readonly minExclusive?: boolean;
  /** True when `max` itself is not allowed. */
  readonly maxExclusive?: boolean;
  readonly integer?: boolean;
}

/**
 * A rule in words, as option errors quote it.
 * @example
 * describeNumberRule({ min: 0, max: 1, minExclusive: true }); // 'a finite number > 0 <= 1'
 */
export function describeNumberRule(rule: NumberRule): string {
  const parts: string[] = [rule.integer ? 'an integer' : 'a finite number'];
  if (rule.min !== undefined) parts.push(`${rule.minExclusive ? '>' : '>='} ${rule.min}`);
  if (rule.max !== undefined) parts.push(`${rule.maxExclusive ? '<' : '<='} ${rule.max}`);
  return parts.join(' ');
}

/** True when `value` is a number that satisfies `rule`. */
export function satisfiesNumberRule(value: unknown, rule: NumberRule): boolean {
  return (
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!rule.integer || Number.isInteger(value)) &&
    (rule.min === undefined || (rule.minExclusive ? value > rule.min : value >= rule.min)) &&
    (rule.max === undefined || (rule.maxExclusive ? value < rule.max : value <= rule.max))
  );
}

/**
 * A numeric option: every failed check carries the same message, `must be <rule in words>`, and
 * the bounds reach the exported JSON Schema.
 * @example
 * const threshold = numberOption({ min: 0, minExclusive: true }).default(50);
 */
export function numberOption(rule: NumberRule) {
  const error = `must be ${describeNumberRule(rule)}`;
  let s = z.number({ error });
  if (rule.integer) s = s.int({ error });
  if (rule.min !== undefined) s = rule.minExclusive ? s.gt(rule.min, { error }) : s.gte(rule.min, { error });
  if (rule.max !== undefined) s = rule.maxExclusive ? s.lt(rule.max, { error }) : s.lte(rule.max, { error });
  return s;
}

/** An option that is one of `values`. */
export function oneOfOption<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `must be one of ${values.map((v) => `"${v}"`).join(', ')}` });
}

/** A boolean option. */
export function booleanOption() {
  return z.boolean({ error: 'must be a boolean' });
}

/**
 * A range that depends on another option (e.g. `windowSize >= 2 · statSize`): adds an issue on
 * `key` when `value` breaks `rule`. For use inside `.superRefine` of an options object.
 * @example
 * .superRefine((o, ctx) => dependentRange(ctx, 'windowSize', o.windowSize, { min: 2 * o.statSize, integer: true }))
 */
export function dependentRange(ctx: z.RefinementCtx, key: string, value: unknown, rule: NumberRule): void {
  if (!satisfiesNumberRule(value, rule))
    ctx.addIssue({ code: 'custom', path: [key], input: value, message: `must be ${describeNumberRule(rule)}` });
}

/**
 * A detector's options object: strict, so a misspelt option is an error that names it and lists
 * the known ones instead of a setting silently ignored.
 * @example
 * const CUSUMOptions = optionsObject({ h: numberOption({ min: 0, minExclusive: true }).default(8) });
 * CUSUMOptions.safeParse({ hh: 5 }).error?.issues[0]?.message; // 'unknown option "hh" (known: h)'
 */
export function optionsObject<T extends z.core.$ZodLooseShape>(shape: T) {
  const known = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== 'unrecognized_keys') return undefined;
      const keys = issue.keys.map((k) => `"${k}"`).join(', ');
      return `unknown option${issue.keys.length > 1 ? 's' : ''} ${keys} (known: ${known})`;
    },
  });
}
