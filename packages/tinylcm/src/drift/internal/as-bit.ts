/**
 * Reads an error-stream observation: `true`/`1` is an error, `false`/`0` a correct prediction, and
 * anything else (NaN, undefined from untyped callers) is -1, i.e. ignored and counted.
 */
export function asBit(x: unknown): 0 | 1 | -1 {
  if (x === true || x === 1) return 1;
  if (x === false || x === 0) return 0;
  return -1;
}
