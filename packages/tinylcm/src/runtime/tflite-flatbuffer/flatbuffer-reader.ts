/**
 * A minimal, bounds-checked FlatBuffers reader: just enough to walk a TFLite model (tables,
 * vectors of scalars, vectors of tables, strings). Every offset is checked against the buffer so
 * a corrupt or truncated file throws {@link FlatbufferRangeError} instead of reading garbage.
 *
 * Wire format recap (flatbuffers.dev "internals"): a table starts with an int32 soffset to its
 * vtable (`vtable = table - soffset`); the vtable is `[vtableBytes u16, tableBytes u16, fieldOffset
 * u16 …]`; field `i` lives at vtable slot `4 + 2i`. Reference fields hold a uint32 offset relative to
 * the field's own position; vectors and strings start with a uint32 length.
 */

/** Raised when an offset points outside the buffer: the file is corrupt or truncated. */
export class FlatbufferRangeError extends RangeError {
  override readonly name = 'FlatbufferRangeError';
}

/**
 * Bounds-checked view over flatbuffer bytes.
 * @example
 * const r = new FlatbufferReader(bytes);
 * const model = r.rootTable();
 * const version = r.uint32Field(model, 0, 0);
 */
export class FlatbufferReader {
  readonly bytes: Uint8Array;
  readonly view: DataView;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Throws unless `[pos, pos + len)` lies inside the buffer. */
  check(pos: number, len: number): void {
    if (!Number.isInteger(pos) || pos < 0 || len < 0 || pos + len > this.bytes.byteLength) {
      throw new FlatbufferRangeError(`offset ${pos} (+${len}) is outside the ${this.bytes.byteLength}-byte buffer`);
    }
  }

  u8(pos: number): number {
    this.check(pos, 1);
    return this.view.getUint8(pos);
  }
  i8(pos: number): number {
    this.check(pos, 1);
    return this.view.getInt8(pos);
  }
  u16(pos: number): number {
    this.check(pos, 2);
    return this.view.getUint16(pos, true);
  }
  i32(pos: number): number {
    this.check(pos, 4);
    return this.view.getInt32(pos, true);
  }
  u32(pos: number): number {
    this.check(pos, 4);
    return this.view.getUint32(pos, true);
  }
  f32(pos: number): number {
    this.check(pos, 4);
    return this.view.getFloat32(pos, true);
  }
  i64(pos: number): number {
    this.check(pos, 8);
    return Number(this.view.getBigInt64(pos, true));
  }

  /** Absolute position of the root table. */
  rootTable(): number {
    return this.deref(0);
  }

  /** Follows the uint32 offset stored at `pos`. */
  deref(pos: number): number {
    const target = pos + this.u32(pos);
    this.check(target, 4);
    return target;
  }

  /** Absolute position of the vtable of the table at `table`. */
  vtable(table: number): number {
    const vt = table - this.i32(table);
    this.check(vt, 4);
    return vt;
  }

  /** Absolute position of field `id` of `table`, or undefined when the field is absent. */
  fieldPos(table: number, id: number): number | undefined {
    const vt = this.vtable(table);
    const slot = 4 + 2 * id;
    if (slot >= this.u16(vt)) return undefined;
    const off = this.u16(vt + slot);
    return off === 0 ? undefined : table + off;
  }

  int8Field(table: number, id: number, dflt: number): number {
    const p = this.fieldPos(table, id);
    return p === undefined ? dflt : this.i8(p);
  }
  int32Field(table: number, id: number, dflt: number): number {
    const p = this.fieldPos(table, id);
    return p === undefined ? dflt : this.i32(p);
  }
  uint32Field(table: number, id: number, dflt: number): number {
    const p = this.fieldPos(table, id);
    return p === undefined ? dflt : this.u32(p);
  }

  /** Position of the referenced object (table, vector, string) of field `id`, if present. */
  refField(table: number, id: number): number | undefined {
    const p = this.fieldPos(table, id);
    return p === undefined ? undefined : this.deref(p);
  }

  /** Length and first-element position of the vector at `vec`, checked for `elemSize`-byte items. */
  vector(vec: number, elemSize: number): { length: number; start: number } {
    const length = this.u32(vec);
    this.check(vec + 4, length * elemSize);
    return { length, start: vec + 4 };
  }

  /** Absolute positions of the tables in the vector of field `id` (empty when absent). */
  tableVector(table: number, id: number): number[] {
    const vec = this.refField(table, id);
    if (vec === undefined) return [];
    const { length, start } = this.vector(vec, 4);
    return Array.from({ length }, (_, i) => this.deref(start + 4 * i));
  }

  /** The int32 vector of field `id` as a plain array (empty when absent). */
  int32Vector(table: number, id: number): number[] {
    const vec = this.refField(table, id);
    if (vec === undefined) return [];
    const { length, start } = this.vector(vec, 4);
    return Array.from({ length }, (_, i) => this.i32(start + 4 * i));
  }

  /** The string of field `id`, or undefined. */
  stringField(table: number, id: number): string | undefined {
    const s = this.refField(table, id);
    if (s === undefined) return undefined;
    const { length, start } = this.vector(s, 1);
    return new TextDecoder().decode(this.bytes.subarray(start, start + length));
  }
}
