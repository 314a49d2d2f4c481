import { TinyMLOpsError } from '@tinymlops/contracts/tinymlops-error';

/**
 * Parses `7d`, `12h`, `30m`, `45s` or a number of seconds (CLI arguments such as `--expires`).
 * Its own module so `--help` does not load the database layer.
 * @example
 * parseDuration('12h'); // 43200
 */
export function parseDuration(text: string): number {
  const m = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (!m) throw new TinyMLOpsError('INVALID_OPTION', `expected a duration like 7d, 12h, 30m or 3600, got "${text}"`);
  const n = Number(m[1]);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
  return n * unit;
}
