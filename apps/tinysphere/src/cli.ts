import { API_ROLES, TinyMLOpsError, type ApiRole } from '@tinymlops/contracts';
import { Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_CONFIG, type AppContext, type ServerConfig } from './app-context.js';
import { pruneIngestedArchives } from './modules/packages/archive-retention.js';
import { sweepUnreferencedBlobs } from './modules/packages/unreferenced-blobs.js';
import { DEFAULT_STORAGE, openStorage, readTrustedKeys, runWorkers, serve, type StorageOptions } from './main.js';
import {
  createApiToken,
  createEnrolmentToken,
  parseDuration,
  revokeApiToken,
  revokeDeviceCredentials,
  revokeEnrolmentToken,
} from './modules/devices/tokens.js';
import { createServerMetrics } from './modules/metrics/server-metrics.js';
import { packBundleDirectory } from './modules/models/bundle-packing.js';
import { registerBundle } from './modules/models/model-registry.js';
import { migrate } from './storage/migrate.js';
import { openDatabase } from './storage/open-database.js';

const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a non-negative integer`);
  return n;
};

function storageOptions(cmd: Command): Command {
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

async function withStorage<T>(
  opts: StorageOptions,
  run: (s: Awaited<ReturnType<typeof openStorage>>) => Promise<T>,
): Promise<T> {
  const storage = await openStorage(opts);
  try {
    return await run(storage);
  } finally {
    await storage.close();
  }
}

async function serverConfig(o: {
  demoEnrolmentToken?: string;
  trustedKeys?: string;
  requireSignedBundles?: boolean;
}): Promise<Partial<ServerConfig>> {
  return {
    ...(o.demoEnrolmentToken ? { demoEnrolmentToken: o.demoEnrolmentToken } : {}),
    ...(o.trustedKeys ? { trustedBundleKeys: await readTrustedKeys(o.trustedKeys) } : {}),
    ...(o.requireSignedBundles ? { requireSignedBundles: true } : {}),
  };
}

/** The `tinysphere` command line. */
export function buildCli(): Command {
  const program = new Command('tinysphere').description('TinySphere: the TinyMLOps fleet server').showHelpAfterError();
  storageOptions(
    program.command('serve').description('run the HTTP API (with in-process ingestion workers unless --no-workers)'),
  )
    .addOption(new Option('--port <n>', 'port').env('PORT').default(8080).argParser(int('--port')))
    .addOption(new Option('--host <host>', 'interface to listen on').env('HOST').default('127.0.0.1'))
    .option('--no-workers', 'do not run ingestion workers in this process (run `tinysphere worker` instead)')
    .option('--worker-concurrency <n>', 'in-process workers', int('--worker-concurrency'), 2)
    .option('--pool-size <n>', 'PostgreSQL connections', int('--pool-size'), 10)
    .addOption(
      new Option('--demo-enrolment-token <token>', 'accept this enrolment token from anyone (demos only)').env(
        'TINYSPHERE_DEMO_ENROLMENT_TOKEN',
      ),
    )
    .option('--trusted-keys <file>', 'JSON file {keyId: ed25519 public key PEM} for bundle signatures')
    .option('--require-signed-bundles', 'refuse unsigned model bundles')
    .addOption(
      new Option('--log-level <level>', 'pino log level')
        .choices(['fatal', 'error', 'warn', 'info', 'debug'])
        .default('info'),
    )
    .action(async (o) => {
      await serve({
        db: o.db,
        blobs: o.blobs,
        poolSize: o.poolSize,
        port: o.port,
        host: o.host,
        workers: o.workers === false ? 0 : o.workerConcurrency,
        logLevel: o.logLevel,
        config: await serverConfig(o),
      });
    });
  storageOptions(
    program.command('worker').description('run ingestion workers only (no HTTP); any number may share one database'),
  )
    .option('--concurrency <n>', 'jobs at a time', int('--concurrency'), 2)
    .option('--pool-size <n>', 'PostgreSQL connections', int('--pool-size'), 4)
    .action(async (o) => runWorkers({ db: o.db, blobs: o.blobs, concurrency: o.concurrency, poolSize: o.poolSize }));
  program
    .command('migrate')
    .description('apply pending database migrations and exit')
    .addOption(
      new Option('--db <uri>', 'database: pglite:<dir> or postgres://…')
        .env('TINYSPHERE_DB')
        .default(DEFAULT_STORAGE.db),
    )
    .action(async (o: { db: string }) => {
      const d = await openDatabase(o.db);
      try {
        console.log(JSON.stringify({ applied: await migrate(d.db) }));
      } finally {
        await d.close();
      }
    });
  const admin = program.command('admin').description('administration (works on the database directly)');
  storageOptions(admin.command('enrolment-token').description('create an enrolment token for devices'))
    .option('--uses <n>', 'how many enrolments it allows (0 = unlimited)', int('--uses'), 1)
    .option('--expires <duration>', 'lifetime like 7d, 12h, 30m, or "never"', '7d')
    .action(async (o) =>
      withStorage(o, async (s) => {
        const expires = o.expires === 'never' ? null : parseDuration(o.expires);
        const t = await createEnrolmentToken(
          s.database.db,
          { uses: o.uses === 0 ? null : o.uses, expiresInSeconds: expires },
          new Date(),
        );
        console.log(JSON.stringify(t));
      }),
    );
  storageOptions(admin.command('create-token').description('create an API token for a person or script'))
    .addOption(new Option('--role <role>', 'role').choices([...API_ROLES]).makeOptionMandatory())
    .requiredOption('--name <name>', 'who or what the token is for')
    .action(async (o) =>
      withStorage(o, async (s) =>
        console.log(JSON.stringify(await createApiToken(s.database.db, o.name, o.role as ApiRole))),
      ),
    );
  storageOptions(
    admin
      .command('revoke-token')
      .description('revoke an API token (tok_…) or an enrolment token (enr_…); ids are in `GET /api/v1/access-tokens`')
      .argument('<tokenId>', 'the token id, not the secret'),
  ).action(async (tokenId: string, o) =>
    withStorage(o, async (s) => {
      const revoke = tokenId.startsWith('enr_') ? revokeEnrolmentToken : tokenId.startsWith('tok_') ? revokeApiToken : undefined; // prettier-ignore
      if (!revoke)
        throw new TinyMLOpsError('INVALID_OPTION', `"${tokenId}" is not a token id: expected tok_… or enr_…`);
      console.log(JSON.stringify(await revoke(s.database.db, tokenId, new Date())));
    }),
  );
  storageOptions(
    admin
      .command('revoke-device')
      .description("revoke a device's credentials: it is refused until it enrols again with a valid enrolment token")
      .argument('<deviceId>', 'the device id (dev_…)'),
  ).action(
    async (deviceId: string, o) =>
    withStorage(o, async (s) => console.log(JSON.stringify(await revokeDeviceCredentials(s.database.db, deviceId, new Date())))), // prettier-ignore
  );
  storageOptions(
    admin
      .command('prune-archives')
      .description('delete the raw archives of packages ingested before a cut-off (rows and extracted data stay)'),
  )
    .option('--older-than <duration>', 'keep archives received within this long, like 30d or 12h', '30d')
    .option('--dry-run', 'only report what would be deleted')
    .action(async (o) =>
      withStorage(o, async (s) => {
        const cutoff = new Date(Date.now() - parseDuration(o.olderThan) * 1000);
        const ctx = { db: s.database.db, blobs: s.blobs, now: () => new Date() };
        const r = await pruneIngestedArchives(ctx, cutoff, { dryRun: o.dryRun === true });
        console.log(JSON.stringify({ ...r, olderThan: cutoff.toISOString(), dryRun: o.dryRun === true }));
      }),
    );
  storageOptions(
    admin
      .command('sweep-blobs')
      .description('delete blobs no row points at (left by crashes and failed commits), once older than a cut-off'),
  )
    .option(
      '--older-than <duration>',
      'leave blobs written within this long alone (writes in flight), like 1d or 6h',
      '1d',
    )
    .option('--dry-run', 'only report what would be deleted')
    .action(async (o) =>
      withStorage(o, async (s) => {
        const cutoff = new Date(Date.now() - parseDuration(o.olderThan) * 1000);
        const r = await sweepUnreferencedBlobs({ db: s.database.db, blobs: s.blobs }, cutoff, {
          dryRun: o.dryRun === true,
        });
        console.log(JSON.stringify({ ...r, olderThan: cutoff.toISOString(), dryRun: o.dryRun === true }));
      }),
    );
  storageOptions(
    admin
      .command('upload-model')
      .description('register a model bundle directory (bundle.json + files) as a version')
      .argument('<dir>', 'bundle directory'),
  )
    .option('--trusted-keys <file>', 'JSON file {keyId: PEM} to verify signatures')
    .action(async (dir: string, o) =>
      withStorage(o, async (s) => {
        const ctx: AppContext = {
          db: s.database.db,
          blobs: s.blobs,
          config: { ...DEFAULT_CONFIG, ...(await serverConfig(o)) },
          metrics: createServerMetrics(),
          now: () => new Date(),
          jobEnqueued: () => {},
          detectorFactory: null,
        };
        console.log(JSON.stringify(await registerBundle(ctx, await packBundleDirectory(dir))));
      }),
    );
  return program;
}

/** Runs the CLI; TinyMLOpsErrors print as one clear line and exit 1. */
export async function runCli(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (err) {
    if (err instanceof TinyMLOpsError) {
      console.error(`tinysphere: ${err.code}: ${err.message}`);
    } else {
      console.error(`tinysphere: ${err instanceof Error ? err.message : String(err)}`);
    }
    process.exitCode = 1;
  }
}

await runCli(process.argv);
