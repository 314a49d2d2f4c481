const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/**
 * "3 min ago" style time for a timestamp (null → "never").
 * @example
 * timeAgo('2026-11-26T10:00:00Z', new Date('2026-11-26T10:05:00Z')); // '5 minutes ago'
 */
export function timeAgo(at: string | null, now: Date = new Date()): string {
  if (!at) return 'never';
  const s = Math.round((new Date(at).getTime() - now.getTime()) / 1000);
  const abs = Math.abs(s);
  if (abs < 45) return 'just now';
  if (abs < 3600) return rtf.format(Math.round(s / 60), 'minute');
  if (abs < 86_400) return rtf.format(Math.round(s / 3600), 'hour');
  return rtf.format(Math.round(s / 86_400), 'day');
}

/** A short local date-time, e.g. "26 Nov, 10:05". */
export function shortTime(at: string | null): string {
  if (!at) return '—';
  return new Date(at).toLocaleString('en-GB', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
}
