import { TinyMLOpsError } from '@tinymlops/contracts/tinymlops-error';
import { Command, Option } from 'commander';
import { addAdminCommands } from './cli-admin.js';
import { addBundleCommands } from './cli-bundle.js';
import { addExportCommands } from './cli-export.js';
import { hardeningConfig, hardeningOptions, maintenanceOptions, readTls } from './cli-hardening.js';
import { int, mlflowOptions, serverConfig, storageOptions } from './cli-options.js';
import { DEFAULT_STORAGE } from './storage/storage-options.js';

// The server's code loads when a command runs, not to print --help.
const main = () => import('./main.js');

/** The `tinysphere` command line. */
export function buildCli(): Command {
  const program = new Command('tinysphere').description('TinySphere: the TinyMLOps fleet server').showHelpAfterError();
  const serveCommand = mlflowOptions(
    storageOptions(
      program.command('serve').description('run the HTTP API (with in-process ingestion workers unless --no-workers)'),
    ),
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
      new Option('--device-rate-limit <n>', 'requests a minute one device may make, per process (0 = no limit)')
        .env('TINYSPHERE_DEVICE_RATE_LIMIT')
        .default(600)
        .argParser(int('--device-rate-limit')),
    )
    .addOption(
      new Option(
        '--rollout-step <seconds>',
        'measure running rollouts, promote or halt their waves this often (0 = never)',
      )
        .env('TINYSPHERE_ROLLOUT_STEP')
        .default(15)
        .argParser(int('--rollout-step')),
    )
    .option('--admin-token-file <file>', 'create an admin API token into this file unless it exists (first starts)')
    .addOption(
      new Option('--log-level <level>', 'pino log level')
        .choices(['fatal', 'error', 'warn', 'info', 'debug'])
        .default('info'),
    );
  hardeningOptions(maintenanceOptions(serveCommand)).action(async (o) => {
    const { serve } = await main();
    const tls = await readTls(o);
    const app = await serve({
      db: o.db,
      blobs: o.blobs,
      poolSize: o.poolSize,
      port: o.port,
      host: o.host,
      workers: o.workers === false ? 0 : o.workerConcurrency,
      logLevel: o.logLevel,
      config: { ...(await serverConfig(o)), ...hardeningConfig(o) },
      ...(tls ? { tls } : {}),
    });
    const { ensureAdminTokenFile } = await import('./admin-token-file.js');
    if (o.adminTokenFile && (await ensureAdminTokenFile(app.ctx.db, o.adminTokenFile, 'admin')))
      app.http.log.info({ file: o.adminTokenFile }, 'created an admin API token');
  });
  maintenanceOptions(
    mlflowOptions(
      storageOptions(
        program
          .command('worker')
          .description('run ingestion workers only (no HTTP); any number may share one database'),
      ),
    )
      .option('--concurrency <n>', 'jobs at a time', int('--concurrency'), 2)
      .option('--pool-size <n>', 'PostgreSQL connections', int('--pool-size'), 4),
  ).action(async (o) =>
    (await main()).runWorkers({
      db: o.db,
      blobs: o.blobs,
      concurrency: o.concurrency,
      poolSize: o.poolSize,
      config: { ...(await serverConfig(o)), ...hardeningConfig(o) },
    }),
  );
  program
    .command('migrate')
    .description('apply pending database migrations and exit')
    .addOption(
      new Option('--db <uri>', 'database: pglite:<dir> or postgres://…')
        .env('TINYSPHERE_DB')
        .default(DEFAULT_STORAGE.db),
    )
    .action(async (o: { db: string }) => {
      const { openDatabase } = await import('./storage/open-database.js');
      const { migrate } = await import('./storage/migrate.js');
      const d = await openDatabase(o.db);
      try {
        console.log(JSON.stringify({ applied: await migrate(d.db) }));
      } finally {
        await d.close();
      }
    });
  addAdminCommands(program);
  addBundleCommands(program);
  addExportCommands(program);
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
