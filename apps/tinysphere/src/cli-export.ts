import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { int, storageOptions, withStorage } from './cli-options.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];

/**
 * Adds `tinysphere export samples`: the validated drift samples of a model as a field dataset file
 * (`.tar.gz`, format tinymlops-field-dataset/v1), read straight from the storage (with PGlite the
 * server must be stopped; with PostgreSQL it may run). The API's
 * `GET /api/v1/exports/validated-samples` gives the same file.
 * @example
 * addExportCommands(new Command('tinysphere'));
 */
export function addExportCommands(program: Command): Command {
  const exp = program.command('export').description('export field data for retraining');
  storageOptions(
    exp
      .command('samples')
      .description('write the samples people labelled (images, labels, features, device, version, time) to a file'),
  )
    .requiredOption('--model <id>', 'model id, like fashion-mnv2')
    .option('--version <version>', 'only samples from episodes of this model version')
    .option('--since <time>', 'captured at or after this ISO time (2026-11-01T00:00:00Z)')
    .option('--until <time>', 'captured before this ISO time')
    .option('--class <label>', 'only this label (repeat for several)', collect)
    .option('--device <id>', 'only this device (repeat for several)', collect)
    .option('--limit <n>', 'at most this many samples, oldest first', int('--limit'), 10_000)
    .option('--out <file>', 'where to write (default: <model>[-<version>]-field-<time>.tar.gz here)')
    .action(async (o) => {
      const { FieldExportQuery, parseOrThrow } = await import('@tinymlops/contracts'); // not for --help
      const query = parseOrThrow(
        FieldExportQuery,
        {
          modelId: o.model,
          ...(o.version ? { version: o.version } : {}),
          ...(o.since ? { since: o.since } : {}),
          ...(o.until ? { until: o.until } : {}),
          ...(o.class ? { class: o.class } : {}),
          ...(o.device ? { deviceId: o.device } : {}),
          limit: o.limit,
        },
        'export options',
      );
      await withStorage(o, async (s) => {
        const { exportFieldDataset } = await import('./modules/exports/field-export.js');
        const x = await exportFieldDataset({ db: s.database.db, blobs: s.blobs, now: () => new Date() }, query);
        const out = o.out ?? x.fileName;
        // Written under a temporary name first: a failed export never leaves a file that looks complete.
        const partial = `${out}.partial`;
        try {
          await pipeline(x.stream, createWriteStream(partial));
          await rename(partial, out);
        } catch (err) {
          await rm(partial, { force: true });
          throw err;
        }
        const { count, featureDim, classes, modelVersions } = x.manifest;
        console.log(JSON.stringify({ file: out, count, featureDim, classes, modelVersions }));
      });
    });
  return program;
}
