/** The lines of the data log (`DataLogger`), and records waiting to become one. */

/**
 * A record waiting to be written, with its image (already on disk) if one was kept: its line, or
 * (appended with `appendDeferred`) what builds it at write time.
 */
export interface Pending {
  line: string | undefined;
  deferred: { json: () => string; seq: number; at: number } | undefined;
  image: { file: string; bytes: number } | undefined;
}

/** Whether `json` is the text of a JSON object (cheap: first and last character). */
export const isObjectText = (json: string) => json.at(0) === '{' && json.at(-1) === '}';

/** A record's line: its fields, then `seq`, `at` and the kept image's file. */
export function recordLine(json: string, seq: number, at: number, image: Pending['image']): string {
  const head = json.length > 2 ? `${json.slice(0, -1)},` : '{';
  const tail = image ? `,"image":${JSON.stringify(image.file)}}\n` : '}\n';
  return `${head}"seq":${seq},"at":"${new Date(at).toISOString()}"${tail}`;
}

/** The line of a record appended with `appendDeferred`: its text is built now; a failure becomes `logError`. */
export function deferredLine(p: Pending): string {
  const d = p.deferred as NonNullable<Pending['deferred']>;
  let json: string;
  try {
    json = d.json();
    if (!isObjectText(json)) throw new Error('not a JSON object');
  } catch (e) {
    json = JSON.stringify({ logError: `record ${d.seq} could not be serialised: ${(e as Error).message}` });
  }
  return recordLine(json, d.seq, d.at, p.image);
}
