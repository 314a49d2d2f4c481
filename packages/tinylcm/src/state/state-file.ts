import { createHash } from 'node:crypto';
import { StateSnapshotDocument, TinyMLOpsError } from '@tinymlops/contracts';

/** Format tag of the header line; bump it if the file layout ever changes. */
export const STATE_FILE_FORMAT = 'tinylcm-state/1';

/**
 * Encodes a snapshot as its on-disk bytes: one header line
 * `{"format":"tinylcm-state/1","bytes":<body length>,"sha256":"<hex of body>"}` followed by the
 * JSON body. The checksum lives in the same file as the body, so a rename publishes both at once
 * (a sidecar file would need a second atomic step and could disagree with the body after a crash).
 * @example
 * writeFileSync('state-0000000001.json', encodeStateFile(doc));
 */
export function encodeStateFile(doc: StateSnapshotDocument): Buffer {
  const body = Buffer.from(JSON.stringify(doc), 'utf8');
  const header = { format: STATE_FILE_FORMAT, bytes: body.length, sha256: sha256(body) };
  return Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`, 'utf8'), body]);
}

/**
 * Decodes and verifies a state file: header, body length (truncation), sha256 (corruption), JSON,
 * schema, and that the body's version matches the file name. Throws `STATE_CORRUPT` naming the check.
 * @example
 * const doc = decodeStateFile(readFileSync('state-0000000001.json'), 1);
 */
export function decodeStateFile(bytes: Buffer, expectedVersion: number): StateSnapshotDocument {
  const nl = bytes.indexOf(0x0a);
  if (nl < 0) throw corrupt('no header line (truncated?)');
  const header = parseHeader(bytes.subarray(0, nl).toString('utf8'));
  const body = bytes.subarray(nl + 1);
  if (body.length !== header.bytes) throw corrupt(`body is ${body.length} bytes, header says ${header.bytes}`);
  if (sha256(body) !== header.sha256) throw corrupt('sha256 of body does not match header');
  const parsed = StateSnapshotDocument.safeParse(JSON.parse(body.toString('utf8')));
  if (!parsed.success) throw corrupt(`body does not match the schema: ${parsed.error.issues[0]?.message ?? ''}`);
  if (parsed.data.stateVersion !== expectedVersion) {
    throw corrupt(`body has stateVersion ${parsed.data.stateVersion}, file name says ${expectedVersion}`);
  }
  return parsed.data;
}

function parseHeader(line: string): { bytes: number; sha256: string } {
  let h: unknown;
  try {
    h = JSON.parse(line);
  } catch {
    throw corrupt('header line is not JSON');
  }
  const { format, bytes, sha256: sum } = (h ?? {}) as Record<string, unknown>;
  if (format !== STATE_FILE_FORMAT || typeof bytes !== 'number' || typeof sum !== 'string') {
    throw corrupt(`header is not a ${STATE_FILE_FORMAT} header`);
  }
  return { bytes, sha256: sum };
}

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

function corrupt(what: string): TinyMLOpsError {
  return new TinyMLOpsError('STATE_CORRUPT', `corrupt state file: ${what}`);
}
