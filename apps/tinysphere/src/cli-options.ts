/**
 * Options and helpers shared by the `tinysphere` commands (cli.ts, cli-admin.ts).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import type { ServerConfig } from './app-context.js';
import type { Storage } from './main.js';
import type { MlflowOptions } from './modules/mlflow/mlflow-config.js';
import { DEFAULT_STORAGE, type StorageOptions } from './storage/storage-options.js';

/** A commander parser for a non-negative integer option. */
export const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a non-negative integer`);
  return n;
};

/** Adds `--db` and `--blobs` (with their env variables and defaults) to a command. */
export function storageOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('--db <uri>', 'database: pglite:<dir> or postgres://…')
        .env('TINYSPHERE_DB')
        .default(DEFAULT_STORAGE.db),
    )
    .addOption(
      new Option(
        '--blobs <uri>',
        'blob store: file:<dir> or s3://bucket?endpoint=…&region=… (credentials from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)',
      )
        .env('TINYSPHERE_BLOBS')
        .default(DEFAULT_STORAGE.blobs),
    );
}

/**
 * Adds the MLflow options to `serve` and `worker`. Credentials are read only from the
 * environment (MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME + MLFLOW_TRACKING_PASSWORD;
 * TINYSPHERE_MLFLOW_WEBHOOK_SECRET), never from arguments, which other users can see.
 */
export function mlflowOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        '--mlflow-tracking-uri <uri>',
        'MLflow tracking server (http[s]://…); enables the integration. Credentials: MLFLOW_TRACKING_TOKEN, or ' +
          'MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD; webhook secret: TINYSPHERE_MLFLOW_WEBHOOK_SECRET',
      ).env('MLFLOW_TRACKING_URI'),
    )
    .addOption(
      new Option('--mlflow-models <uris>', 'comma-separated models:/<name>@<alias> (or /<version>) to import')
        .env('TINYSPHERE_MLFLOW_MODELS')
        .argParser((v) =>
          v
            .split(',')
            .map((x) => x.trim())
            .filter(Boolean),
        ),
    )
    .addOption(
      new Option('--mlflow-poll-seconds <n>', 'seconds between polls of the models (0: webhooks and manual only)')
        .env('TINYSPHERE_MLFLOW_POLL_SECONDS')
        .default(60)
        .argParser(int('--mlflow-poll-seconds')),
    )
    .addOption(
      new Option('--mlflow-field-experiment <name>', 'MLflow experiment of the field-metrics runs')
        .env('TINYSPHERE_MLFLOW_FIELD_EXPERIMENT')
        .default('tinysphere-field'),
    )
    .addOption(
      new Option('--mlflow-field-metrics-seconds <n>', 'seconds between field-metrics logs (0: only on request)')
        .env('TINYSPHERE_MLFLOW_FIELD_METRICS_SECONDS')
        .default(3600)
        .argParser(int('--mlflow-field-metrics-seconds')),
    );
}

/** Opens the storage a command names, runs `run` and always closes it. */
export async function withStorage<T>(opts: StorageOptions, run: (s: Storage) => Promise<T>): Promise<T> {
  const { openStorage } = await import('./main.js'); // the server loads when a command runs: a fast --help
  const storage = await openStorage(opts);
  try {
    return await run(storage);
  } finally {
    await storage.close();
  }
}

/** The ServerConfig parts a command's options set. */
export async function serverConfig(
  o: {
    demoEnrolmentToken?: string;
    trustedKeys?: string;
    requireSignedBundles?: boolean;
    deviceRateLimit?: number;
    mlflowModels?: string[];
    rolloutStep?: number;
  } & Omit<MlflowOptions, 'mlflowModel'>,
): Promise<Partial<ServerConfig>> {
  const { mlflowConfig } = await import('./modules/mlflow/mlflow-config.js'); // loads zod: not for --help
  const mlflow = mlflowConfig({ ...o, ...(o.mlflowModels ? { mlflowModel: o.mlflowModels } : {}) }, process.env);
  return {
    ...(mlflow ? { mlflow } : {}),
    ...(o.deviceRateLimit === undefined ? {} : { deviceRequestsPerMinute: o.deviceRateLimit }),
    ...(o.demoEnrolmentToken ? { demoEnrolmentToken: o.demoEnrolmentToken } : {}),
    ...(o.trustedKeys ? { trustedBundleKeys: await (await import('./main.js')).readTrustedKeys(o.trustedKeys) } : {}),
    ...(o.requireSignedBundles ? { requireSignedBundles: true } : {}),
    ...(o.rolloutStep === undefined ? {} : { rolloutStepMs: o.rolloutStep * 1000 }),
  };
}
