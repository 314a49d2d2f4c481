/**
 * Re-serialises a flatbuffer by writing NEW objects in front of the unchanged OLD bytes.
 *
 * Why this works without a generated object API: flatbuffer references are unsigned offsets that
 * point forward, relative to where they are stored. If new objects are laid out parent-before-child
 * in a prefix, and the old bytes (everything after the 8-byte header) follow unchanged, then
 *  - every reference inside the old bytes keeps its relative distance (the whole block moved), and
 *  - every reference from a new object, to a new child or to an old object, points forward.
 * The old root table stays in the file as unreferenced bytes. The prefix is padded to a multiple of
 * 16 so every old object keeps its alignment (TFLite aligns `Buffer.data` to 16).
 */

/** A reference to an object of the original buffer (absolute position there) or to a new node. */
export type Ref = { old: number } | { node: Node };

/** A table field: a 1- or 4-byte scalar, or a reference. */
export type Field = { u8: number } | { i32: number } | { u32: number } | { ref: Ref };

/** A new object to write into the prefix. */
export type Node =
  | { kind: 'table'; fields: ReadonlyMap<number, Field> }
  | { kind: 'refs'; items: readonly Ref[] }
  | { kind: 'i32s'; items: readonly number[] }
  | { kind: 'string'; value: string };

const HEADER = 8;
const pad4 = (n: number): number => (n + 3) & ~3;

function tableLayout(fields: ReadonlyMap<number, Field>): { vtBytes: number; size: number } {
  const maxId = Math.max(-1, ...fields.keys());
  return { vtBytes: pad4(4 + 2 * (maxId + 1)), size: 4 + 4 * fields.size };
}

function nodeSize(n: Node): number {
  switch (n.kind) {
    case 'table': {
      const l = tableLayout(n.fields);
      return l.vtBytes + l.size;
    }
    case 'refs':
    case 'i32s':
      return 4 + 4 * n.items.length;
    case 'string':
      return pad4(4 + Buffer.byteLength(n.value) + 1);
  }
}

function children(n: Node): Node[] {
  const refs =
    n.kind === 'table'
      ? [...n.fields.values()].flatMap((f) => ('ref' in f ? [f.ref] : []))
      : n.kind === 'refs'
        ? n.items
        : [];
  return refs.flatMap((r) => ('node' in r ? [r.node] : []));
}

/**
 * Writes `root` (and the new nodes it references) in front of the old buffer's contents and makes
 * it the new root table. `fileIdentifier` is copied from the old header.
 * @example
 * const out = writeWithPrefix(old, { kind: 'table', fields: new Map([[0, { u32: 3 }]]) });
 */
export function writeWithPrefix(old: Uint8Array, root: Node): Uint8Array {
  const pos = new Map<Node, number>();
  let cursor = HEADER;
  const place = (n: Node): void => {
    pos.set(n, cursor);
    cursor += nodeSize(n);
    for (const c of children(n)) place(c); // pre-order: parents before children → forward refs
  };
  place(root);
  const delta = Math.ceil((cursor - HEADER) / 16) * 16;
  const out = new Uint8Array(HEADER + delta + old.byteLength - HEADER);
  out.set(old.subarray(4, HEADER), 4);
  out.set(old.subarray(HEADER), HEADER + delta);
  const view = new DataView(out.buffer);
  // A reference to a table points at the table itself, which follows its vtable.
  const start = (n: Node): number => (pos.get(n) as number) + (n.kind === 'table' ? tableLayout(n.fields).vtBytes : 0);
  const target = (r: Ref): number => ('old' in r ? r.old + delta : start(r.node));
  const writeRef = (at: number, r: Ref): void => view.setUint32(at, target(r) - at, true);
  for (const [n, p] of pos) writeNode(view, n, p, writeRef);
  view.setUint32(0, start(root), true);
  return out;
}

function writeNode(view: DataView, n: Node, p: number, writeRef: (at: number, r: Ref) => void): void {
  switch (n.kind) {
    case 'table': {
      const { vtBytes, size } = tableLayout(n.fields);
      const table = p + vtBytes;
      view.setUint16(p, 4 + 2 * (Math.max(-1, ...n.fields.keys()) + 1), true);
      view.setUint16(p + 2, size, true);
      view.setInt32(table, table - p, true); // soffset: vtable = table - soffset
      [...n.fields.entries()].forEach(([id, f], slot) => {
        const at = table + 4 + 4 * slot;
        view.setUint16(p + 4 + 2 * id, at - table, true);
        if ('u8' in f) view.setUint8(at, f.u8 & 0xff);
        else if ('i32' in f) view.setInt32(at, f.i32, true);
        else if ('u32' in f) view.setUint32(at, f.u32, true);
        else writeRef(at, f.ref);
      });
      return;
    }
    case 'refs':
      view.setUint32(p, n.items.length, true);
      n.items.forEach((r, i) => writeRef(p + 4 + 4 * i, r));
      return;
    case 'i32s':
      view.setUint32(p, n.items.length, true);
      n.items.forEach((v, i) => view.setInt32(p + 4 + 4 * i, v, true));
      return;
    case 'string': {
      const b = Buffer.from(n.value, 'utf8');
      view.setUint32(p, b.length, true);
      new Uint8Array(view.buffer, p + 4, b.length).set(b);
      return;
    }
  }
}
