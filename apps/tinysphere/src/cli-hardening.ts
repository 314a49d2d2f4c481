/**
 * Options of `tinysphere serve` and `tinysphere worker` for running in front of hostile and flaky
 * devices: TLS, limits per client address, quotas, timeouts, the maintenance schedule, the
 * ingestion memory budget, and who may read /metrics and /docs (see docs/server.md → Hardening).
 */
import { readFile } from 'node:fs/promises';
import { TinyMLOpsError } from '@tinymlops/contracts/tinymlops-error';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { DEFAULT_CONFIG, type ServerConfig } from './app-context.js';
import { int } from './cli-options.js';
import { parseDuration } from './parse-duration.js';

const UNITS: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9, ki: 1024, mi: 1024 ** 2, gi: 1024 ** 3 };

/**
 * Parses a size like `4GiB`, `256MiB`, `64M`, `1000000` into bytes.
 * @example
 * parseSize('256MiB'); // 268435456
 */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]i?)?b?$/i.exec(text.trim());
  if (!m) throw new InvalidArgumentError(`expected a size like 4GiB, 256MiB, 64M or 1000000, got "${text}"`);
  return Math.round(Number(m[1]) * (UNITS[(m[2] ?? '').toLowerCase()] ?? 1));
}

const ms = (name: string) => (v: string) => {
  try {
    return parseDuration(v) * 1000;
  } catch {
    throw new InvalidArgumentError(`${name}: expected a duration like 7d, 12h, 30m or 3600 (seconds); 0 turns it off`);
  }
};
const size = (v: string) => parseSize(v);
const mib = (bytes: number) => `${Math.round(bytes / 1024 ** 2)}MiB`;

/** A duration for help texts: 3600000 → `1h`. */
function human(msValue: number): string {
  const s = msValue / 1000;
  if (s % 86_400 === 0) return `${s / 86_400}d`;
  if (s % 3600 === 0) return `${s / 3600}h`;
  return s % 60 === 0 ? `${s / 60}m` : `${s}s`;
}

/** Retention, the maintenance schedule and the ingestion budget: for `serve` and `worker`. */
export function maintenanceOptions(cmd: Command): Command {
  const d = DEFAULT_CONFIG;
  return cmd
    .option(
      '--maintenance-interval <duration>',
      `how often to prune and sweep (0 = never; default ${human(d.maintenanceIntervalMs)})`,
      ms('--maintenance-interval'),
    )
    .option(
      '--archive-retention <duration>',
      `keep raw archives of ingested packages this long (0 = for ever; default ${human(d.archiveRetentionMs)})`,
      ms('--archive-retention'),
    )
    .option(
      '--failed-retention <duration>',
      `keep raw archives of failed (garbage) packages this long (0 = for ever; default ${human(d.failedRetentionMs)})`,
      ms('--failed-retention'),
    )
    .option(
      '--sweep-after <duration>',
      `delete blobs no row points at once this old (0 = never; default ${human(d.sweepAfterMs)})`,
      ms('--sweep-after'),
    )
    .option(
      '--ingest-memory <size>',
      `archive bytes ingestion may hold in memory (default ${mib(d.ingestMemoryBytes)})`,
      size,
    );
}

/** Network, limits, quotas and exposure: for `serve`. */
export function hardeningOptions(cmd: Command): Command {
  const d = DEFAULT_CONFIG;
  return cmd
    .option('--tls-cert <file>', 'serve HTTPS with this certificate (PEM; with --tls-key)')
    .option('--tls-key <file>', 'private key of --tls-cert (PEM)')
    .option('--trust-proxy', 'take client addresses from X-Forwarded-For (behind a reverse proxy)')
    .addOption(
      new Option('--metrics <access>', 'who may read /metrics (token: any API token)')
        .choices(['public', 'token', 'off'])
        .default(d.metricsAccess),
    )
    .option('--no-docs', 'do not serve the OpenAPI document and UI at /docs')
    .addOption(
      new Option('--enrolment-rate-limit <n>', 'enrolments a minute per client address (0 = no limit)')
        .env('TINYSPHERE_ENROLMENT_RATE_LIMIT')
        .default(d.enrolmentsPerMinute)
        .argParser(int('--enrolment-rate-limit')),
    )
    .option(
      '--auth-failure-limit <n>',
      'requests with failing credentials a minute per client address before 429 (0 = no limit)',
      int('--auth-failure-limit'),
      d.authFailuresPerMinute,
    )
    .option(
      '--quota-stored <size>',
      `raw archive bytes kept per device (0 = no quota; default ${mib(d.quotas.storedBytes)})`,
      size,
    )
    .option(
      '--quota-pending <size>',
      `archive bytes per device waiting for ingestion (0 = no quota; default ${mib(d.quotas.pendingBytes)})`,
      size,
    )
    .option(
      '--quota-daily-packages <n>',
      'packages per device and UTC day (0 = no quota)',
      int('--quota-daily-packages'),
      d.quotas.packagesPerDay,
    )
    .option(
      '--connection-idle-timeout <duration>',
      `close a connection silent this long, mid-body too (0 = never; default ${human(d.connectionIdleTimeoutMs)})`,
      ms('--connection-idle-timeout'),
    )
    .option(
      '--request-timeout <duration>',
      `longest a request may take to arrive in full (0 = no limit; default ${human(d.requestTimeoutMs)})`,
      ms('--request-timeout'),
    )
    .option(
      '--upload-memory <size>',
      `package upload bytes held in memory at once, more get 503 (0 = no limit; default ${mib(d.uploadMemoryBytes)})`,
      size,
    );
}

/** What `maintenanceOptions` and `hardeningOptions` parsed, as ServerConfig. */
export interface HardeningFlags {
  maintenanceInterval?: number;
  archiveRetention?: number;
  failedRetention?: number;
  sweepAfter?: number;
  ingestMemory?: number;
  trustProxy?: boolean;
  metrics?: ServerConfig['metricsAccess'];
  docs?: boolean;
  enrolmentRateLimit?: number;
  authFailureLimit?: number;
  quotaStored?: number;
  quotaPending?: number;
  quotaDailyPackages?: number;
  connectionIdleTimeout?: number;
  requestTimeout?: number;
  uploadMemory?: number;
}

/** The ServerConfig parts the hardening and maintenance options set (unset ones keep their defaults). */
export function hardeningConfig(o: HardeningFlags): Partial<ServerConfig> {
  const d = DEFAULT_CONFIG;
  const set = <K extends keyof ServerConfig>(key: K, v: ServerConfig[K] | undefined) =>
    v === undefined ? {} : { [key]: v };
  return {
    ...set('maintenanceIntervalMs', o.maintenanceInterval),
    ...set('archiveRetentionMs', o.archiveRetention),
    ...set('failedRetentionMs', o.failedRetention),
    ...set('sweepAfterMs', o.sweepAfter),
    ...set('ingestMemoryBytes', o.ingestMemory),
    ...set('trustProxy', o.trustProxy),
    ...set('metricsAccess', o.metrics),
    ...set('docs', o.docs),
    ...set('enrolmentsPerMinute', o.enrolmentRateLimit),
    ...set('authFailuresPerMinute', o.authFailureLimit),
    ...set('connectionIdleTimeoutMs', o.connectionIdleTimeout),
    ...set('requestTimeoutMs', o.requestTimeout),
    ...set('uploadMemoryBytes', o.uploadMemory),
    quotas: {
      storedBytes: o.quotaStored ?? d.quotas.storedBytes,
      pendingBytes: o.quotaPending ?? d.quotas.pendingBytes,
      packagesPerDay: o.quotaDailyPackages ?? d.quotas.packagesPerDay,
    },
  };
}

/**
 * Reads `--tls-cert` and `--tls-key` (both or neither).
 * @example
 * const tls = await readTls({ tlsCert: 'cert.pem', tlsKey: 'key.pem' }); // { cert, key } | undefined
 */
export async function readTls(o: {
  tlsCert?: string;
  tlsKey?: string;
}): Promise<{ cert: Buffer; key: Buffer } | undefined> {
  if (!o.tlsCert && !o.tlsKey) return undefined;
  if (!o.tlsCert || !o.tlsKey)
    throw new TinyMLOpsError('INVALID_OPTION', '--tls-cert and --tls-key go together: give both, or neither');
  const read = (file: string, what: string) =>
    readFile(file).catch((err: NodeJS.ErrnoException) => {
      throw new TinyMLOpsError('INVALID_OPTION', `${what}: cannot read ${file} (${err.code ?? err.message})`);
    });
  return { cert: await read(o.tlsCert, '--tls-cert'), key: await read(o.tlsKey, '--tls-key') };
}
