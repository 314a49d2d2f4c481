/**
 * Options and helpers shared by the `tinysphere` commands (cli.ts, cli-admin.ts).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import type { ServerConfig } from './app-context.js';
import type { Storage } from './main.js';
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
export async function serverConfig(o: {
  demoEnrolmentToken?: string;
  trustedKeys?: string;
  requireSignedBundles?: boolean;
  deviceRateLimit?: number;
}): Promise<Partial<ServerConfig>> {
  return {
    ...(o.deviceRateLimit === undefined ? {} : { deviceRequestsPerMinute: o.deviceRateLimit }),
    ...(o.demoEnrolmentToken ? { demoEnrolmentToken: o.demoEnrolmentToken } : {}),
    ...(o.trustedKeys ? { trustedBundleKeys: await (await import('./main.js')).readTrustedKeys(o.trustedKeys) } : {}),
    ...(o.requireSignedBundles ? { requireSignedBundles: true } : {}),
  };
}
