import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  EnrolmentRequest,
  EnrolmentResponse,
  ErrorEnvelope,
  Id,
  TinyMLOpsError,
  Timestamp,
  parseOrThrow,
} from '@tinymlops/contracts';
import { z } from 'zod';
import { writeFileAtomic } from './atomic-write.js';

/**
 * What a device keeps after enrolment: a local file (mode 0600), not a wire shape. The token is a
 * secret: the server keeps only its hash, so losing this file means enrolling again.
 */
export const DeviceCredentials = z.strictObject({
  schemaVersion: z.literal(1),
  serverUrl: z.url(),
  deviceId: Id,
  deviceToken: z.string().min(32).max(256),
  hardwareId: z.string().min(1).max(128),
  enrolledAt: Timestamp,
  heartbeatIntervalSeconds: z.number().int().positive(),
});
export type DeviceCredentials = z.infer<typeof DeviceCredentials>;

/** Options of {@link enrolDevice}. */
export interface EnrolOptions {
  serverUrl: string;
  request: EnrolmentRequest;
  /** Defaults to the global fetch; tests and proxies inject their own. */
  fetch?: typeof fetch;
  timeoutMs?: number;
  /**
   * Where the device keeps its device key (made on first use, mode 0600, kept for good). The key
   * goes with every enrolment, so a device that lost its token can enrol its hardwareId again
   * while nobody else can (see `EnrolmentRequest.deviceKey`). Omit to send none.
   */
  keyFile?: string;
}

/**
 * The device key in `file`, made (random, 32 bytes) and saved atomically with mode 0600 the first
 * time. A file that exists but does not hold a key is `STATE_CORRUPT`: making a new one silently
 * would lock the device out of its own hardwareId.
 * @example
 * const deviceKey = await deviceKeyIn('/var/lib/tinylcm/device-key');
 */
export async function deviceKeyIn(file: string): Promise<string> {
  let text: string;
  try {
    text = (await readFile(file, 'utf8')).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    const key = `dk_${randomBytes(32).toString('base64url')}`;
    await writeFileAtomic(file, `${key}\n`, { mode: 0o600 });
    return key;
  }
  if (!/^[A-Za-z0-9_-]{32,256}$/.test(text))
    throw new TinyMLOpsError(
      'STATE_CORRUPT',
      `device key file ${file} does not hold a key; an admin must revoke the device before it can enrol again without it`,
    );
  return text;
}

/**
 * Presents an enrolment token to the server and returns the device's credentials (not yet saved).
 * Throws `ENROLMENT_TOKEN_INVALID` (or the server's error code) when the server refuses, and
 * `UNAVAILABLE` when it cannot be reached.
 * @example
 * const creds = await enrolDevice({ serverUrl: 'http://localhost:8080', request: {
 *   schemaVersion: 1, enrolmentToken: 'demo-open-enrolment', hardwareId: 'pi-0042',
 *   platform: { arch: process.arch, os: process.platform, node: process.versions.node } } });
 * await saveCredentials('/var/lib/tinylcm/credentials.json', creds);
 */
export async function enrolDevice(options: EnrolOptions): Promise<DeviceCredentials> {
  const deviceKey = options.keyFile ? await deviceKeyIn(options.keyFile) : undefined;
  const request = deviceKey ? { ...options.request, deviceKey } : options.request;
  const body = parseOrThrow(EnrolmentRequest, request, 'enrolment request');
  const url = new URL('/device/v1/enrol', options.serverUrl);
  let res: Response;
  try {
    res = await (options.fetch ?? fetch)(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
  } catch (cause) {
    throw new TinyMLOpsError('UNAVAILABLE', `enrolment: cannot reach ${url.origin}`, { cause });
  }
  const json: unknown = await res.json().catch(() => undefined);
  if (res.status !== 201 && res.status !== 200) {
    const envelope = ErrorEnvelope.safeParse(json);
    if (envelope.success) throw new TinyMLOpsError(envelope.data.error.code, envelope.data.error.message);
    throw new TinyMLOpsError(res.status >= 500 ? 'UNAVAILABLE' : 'VALIDATION_FAILED', `enrolment: HTTP ${res.status}`);
  }
  const answer = parseOrThrow(EnrolmentResponse, json, 'enrolment response');
  return {
    schemaVersion: 1,
    serverUrl: options.serverUrl,
    deviceId: answer.deviceId,
    deviceToken: answer.deviceToken,
    hardwareId: body.hardwareId,
    enrolledAt: answer.serverTime,
    heartbeatIntervalSeconds: answer.heartbeatIntervalSeconds,
  };
}

/**
 * Saves credentials atomically with mode 0600 (only the device's user may read the token).
 * @example
 * await saveCredentials('/var/lib/tinylcm/credentials.json', creds);
 */
export async function saveCredentials(path: string, credentials: DeviceCredentials): Promise<void> {
  const valid = parseOrThrow(DeviceCredentials, credentials, 'device credentials');
  await writeFileAtomic(path, `${JSON.stringify(valid, null, 2)}\n`, { mode: 0o600 });
}

/**
 * Loads saved credentials; `undefined` when the device has not enrolled yet (no file). A file that
 * exists but is not valid throws `STATE_CORRUPT` naming the file, so the operator knows to re-enrol.
 * @example
 * const creds = (await loadCredentials(path)) ?? (await enrolAndSave());
 */
export async function loadCredentials(path: string): Promise<DeviceCredentials | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new TinyMLOpsError('STATE_CORRUPT', `credentials file ${path} is not valid JSON; enrol the device again`, {
      cause,
    });
  }
  const parsed = DeviceCredentials.safeParse(json);
  if (!parsed.success) {
    const what = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new TinyMLOpsError('STATE_CORRUPT', `credentials file ${path} is invalid (${what}); enrol the device again`);
  }
  return parsed.data;
}
