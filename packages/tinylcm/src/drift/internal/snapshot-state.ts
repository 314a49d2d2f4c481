import { TinyMLOpsError, type DetectorSnapshot } from '@tinymlops/contracts';

/** A number as stored in a snapshot: JSON has no Infinity or NaN, so those travel as strings. */
export type JsonNumber = number | 'Infinity' | '-Infinity' | 'NaN';

/** Encodes a number so that `JSON.stringify` keeps it. */
export function encodeNumber(x: number): JsonNumber {
  if (Number.isFinite(x)) return x;
  if (Number.isNaN(x)) return 'NaN';
  return x > 0 ? 'Infinity' : '-Infinity';
}

/** Encodes a numeric array (typed or plain) as a JSON-safe array. */
export function encodeNumbers(xs: ArrayLike<number>): JsonNumber[] {
  return Array.from(xs, encodeNumber);
}

function decodeNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  if (v === 'NaN') return NaN;
  return undefined;
}

/** Reads a snapshot's `state` field by field, throwing STATE_CORRUPT with the field name when one is wrong. */
export class StateReader {
  readonly #what: string;
  readonly #state: Record<string, unknown>;

  constructor(snapshot: DetectorSnapshot, kind: string, schemaVersion: number) {
    this.#what = `${kind} snapshot`;
    if (snapshot.kind !== kind || snapshot.schemaVersion !== schemaVersion) {
      throw new TinyMLOpsError(
        'STATE_CORRUPT',
        `${this.#what}: expected kind "${kind}" v${schemaVersion}, got "${snapshot.kind}" v${snapshot.schemaVersion}`,
      );
    }
    this.#state = snapshot.state;
  }

  #corrupt(key: string, expected: string): never {
    throw new TinyMLOpsError('STATE_CORRUPT', `${this.#what}: state "${key}" must be ${expected}`);
  }

  number(key: string): number {
    const v = decodeNumber(this.#state[key]);
    return v ?? this.#corrupt(key, 'a number');
  }

  boolean(key: string): boolean {
    const v = this.#state[key];
    return typeof v === 'boolean' ? v : this.#corrupt(key, 'a boolean');
  }

  /** Copies a numeric array into `into` (which fixes the expected length) and returns it. */
  numbers<A extends { length: number; [i: number]: number }>(key: string, into: A): A {
    const v = this.#state[key];
    if (!Array.isArray(v) || v.length !== into.length) this.#corrupt(key, `an array of ${into.length} numbers`);
    for (let i = 0; i < v.length; i++) into[i] = decodeNumber(v[i]) ?? this.#corrupt(key, 'an array of numbers');
    return into;
  }

  /** A numeric array of any length. */
  list(key: string): number[] {
    const v = this.#state[key];
    if (!Array.isArray(v)) this.#corrupt(key, 'an array of numbers');
    return this.numbers(key, new Array<number>(v.length).fill(0));
  }
}
