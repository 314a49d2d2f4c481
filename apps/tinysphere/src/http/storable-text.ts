/** A NUL, or a UTF-16 surrogate without its partner: text PostgreSQL cannot store (nor UTF-8 encode). */
const UNSTORABLE = /\0|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** What is wrong with one string, or null when it can be stored. */
function problemOf(s: string): string | null {
  const m = UNSTORABLE.exec(s);
  if (!m) return null;
  return m[0] === '\0' ? 'contains U+0000 (NUL)' : 'contains a lone UTF-16 surrogate';
}

/**
 * Finds the first string (or object key) in a parsed JSON value that the database cannot store:
 * NUL, or a lone surrogate. JSON allows both (`"\u0000"`, `"\ud800"`); PostgreSQL's text and jsonb
 * do not, so without this check they surface as a 500 from deep inside a statement. Returns
 * `path: problem`, or null when every string is storable. Depth-first, without recursion limits
 * beyond the parser's own (JSON.parse already built the value).
 * @example
 * unstorableText({ name: 'a\u0000b' }); // 'name: contains U+0000 (NUL)'
 */
export function unstorableText(value: unknown, path = ''): string | null {
  if (typeof value === 'string') {
    const p = problemOf(value);
    return p && `${path || '(root)'}: ${p}`;
  }
  if (typeof value !== 'object' || value === null) return null;
  for (const [k, v] of Object.entries(value)) {
    const at = path ? `${path}.${k}` : k;
    const key = problemOf(k);
    if (key) return `${path || '(root)'}: a key ${key}`;
    const inner = unstorableText(v, at);
    if (inner) return inner;
  }
  return null;
}

/**
 * Whether a raw query string decodes to valid UTF-8: a percent-encoded byte sequence that is not
 * (`%ED%A0%80`, a surrogate; `%FF`) would otherwise reach a handler as undecoded text.
 */
export function queryIsUtf8(rawQuery: string): boolean {
  try {
    decodeURIComponent(rawQuery.replace(/\+/g, ' '));
    return true;
  } catch {
    return false;
  }
}
