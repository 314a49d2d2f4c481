import type { ApiRole } from '@tinymlops/contracts';
import { API_ROLES } from '@tinymlops/contracts/api-roles';
import { TinyMLOpsError } from '@tinymlops/contracts/tinymlops-error';
import { Option, type Command } from 'commander';
import { DEFAULT_CONFIG, type AppContext } from './app-context.js';
import { int, serverConfig, storageOptions, withStorage } from './cli-options.js';
import { parseDuration } from './parse-duration.js';

// Each command loads its code when it runs, so `--help` does not load the server.
const tokens = () => import('./modules/devices/tokens.js');

/**
 * Adds `tinysphere admin …`: tokens, revocation, retention and model upload. These work on the
 * database directly (PGlite: with the server stopped).
 * @example
 * addAdminCommands(new Command('tinysphere')).parseAsync(['node', 'tinysphere', 'admin', 'sweep-blobs', '--dry-run']);
 */
export function addAdminCommands(program: Command): Command {
  const admin = program.command('admin').description('administration (works on the database directly)');
  storageOptions(admin.command('enrolment-token').description('create an enrolment token for devices'))
    .option('--uses <n>', 'how many enrolments it allows (0 = unlimited)', int('--uses'), 1)
    .option('--expires <duration>', 'lifetime like 7d, 12h, 30m, or "never"', '7d')
    .action(async (o) =>
      withStorage(o, async (s) => {
        const { createEnrolmentToken } = await tokens();
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
      withStorage(o, async (s) => {
        const { createApiToken } = await tokens();
        console.log(JSON.stringify(await createApiToken(s.database.db, o.name, o.role as ApiRole)));
      }),
    );
  storageOptions(
    admin
      .command('revoke-token')
      .description('revoke an API token (tok_…) or an enrolment token (enr_…); ids are in `GET /api/v1/access-tokens`')
      .argument('<tokenId>', 'the token id, not the secret'),
  ).action(async (tokenId: string, o) =>
    withStorage(o, async (s) => {
      const { revokeApiToken, revokeEnrolmentToken } = await tokens();
      const revoke = tokenId.startsWith('enr_')
        ? revokeEnrolmentToken
        : tokenId.startsWith('tok_')
          ? revokeApiToken
          : undefined;
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
  ).action(async (deviceId: string, o) =>
    withStorage(o, async (s) => {
      const { revokeDeviceCredentials } = await tokens();
      console.log(JSON.stringify(await revokeDeviceCredentials(s.database.db, deviceId, new Date())));
    }),
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
        const { pruneIngestedArchives } = await import('./modules/packages/archive-retention.js');
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
        const { sweepUnreferencedBlobs } = await import('./modules/packages/unreferenced-blobs.js');
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
        const { createServerMetrics } = await import('./modules/metrics/server-metrics.js');
        const { packBundleDirectory } = await import('./modules/models/bundle-packing.js');
        const { registerBundle } = await import('./modules/models/model-registry.js');
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
