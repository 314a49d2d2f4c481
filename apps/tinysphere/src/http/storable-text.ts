/** A NUL, or a UTF-16 surrogate without its partner: text PostgreSQL cannot store (nor UTF-8 encode). */
const UNSTORABLE = /\0|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Deepest nesting of a JSON value the server accepts; every wire shape is far shallower. */
export const MAX_JSON_DEPTH = 64;

/** What is wrong with one string, or null when it can be stored. */
function problemOf(s: string): string | null {
  const m = UNSTORABLE.exec(s);
  if (!m) return null;
  return m[0] === '\0' ? 'contains U+0000 (NUL)' : 'contains a lone UTF-16 surrogate';
}

/**
 * Finds the first string (or object key) in a parsed JSON value that the database cannot store
 * (NUL, or a lone surrogate), or nesting deeper than MAX_JSON_DEPTH. JSON allows both characters
 * (`"\u0000"`, `"\ud800"`); PostgreSQL's text and jsonb do not, so without this check they
 * surface as a 500 from deep inside a statement; and a value nested thousands deep would overflow
 * the stack of whatever walks it next (JSON.stringify of a log context). Iterative, so the check
 * itself cannot overflow. Returns `path: problem`, or null when the value is fine.
 * @example
 * unstorableText({ name: 'a\u0000b' }); // 'name: contains U+0000 (NUL)'
 */
export function unstorableText(value: unknown): string | null {
  const stack: { v: unknown; path: string; depth: number }[] = [{ v: value, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { v, path, depth } = stack.pop()!;
    if (typeof v === 'string') {
      const p = problemOf(v);
      if (p) return `${path || '(root)'}: ${p}`;
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= MAX_JSON_DEPTH) return `${path || '(root)'}: nested deeper than ${MAX_JSON_DEPTH} levels`;
    for (const [k, inner] of Object.entries(v)) {
      const key = problemOf(k);
      if (key) return `${path || '(root)'}: a key ${key}`;
      stack.push({ v: inner, path: path ? `${path}.${k}` : k, depth: depth + 1 });
    }
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
