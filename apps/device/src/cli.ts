import { Command } from 'commander';
import { shownPath } from './shown-path.js';

// The commands' code loads when a command runs, so `--help` starts in a fraction of the time.
const runDevice = async (...a: Parameters<typeof import('./run-device.js').runDevice>) =>
  (await import('./run-device.js')).runDevice(...a);
const readDeviceStatus = async (configFile: string) =>
  (await import('./device-status.js')).readDeviceStatus(configFile);

/** Graceful shutdown gets this long; then the process exits anyway (systemd expects a prompt stop). */
const SHUTDOWN_MS = 1500;
const FORCE_EXIT_MS = 1900;

const program = new Command()
  .name('tinylcm-device')
  .description('Run a TinyLCM edge device: camera or other input → features → KNN → drift detection → sync.')
  .showHelpAfterError();

program
  .command('run')
  .description('run the device until Ctrl-C (SIGINT) or SIGTERM; the outbox and state are flushed on the way out')
  .option('-c, --config <file>', 'device config (JSON, schema docs/schemas/DeviceConfig.schema.json)', 'device.json')
  .option('-n, --frames <count>', 'stop after this many frames', (v) => positiveInt(v, '--frames'))
  .option('--report-every <frames>', 'print a status line every N frames (0: drift events only)', zeroOrMore, 100)
  .action(async (opts: { config: string; frames?: number; reportEvery: number }) => {
    const { config: configFile, reportEvery, frames } = opts;
    const stopSignal = onStopSignal();
    await runDevice({
      configFile,
      reportEvery,
      stopSignal,
      shutdownMs: SHUTDOWN_MS,
      ...(frames ? { maxFrames: frames } : {}),
    });
    process.exit(0);
  });

program
  .command('status')
  .description('show the model, enrolment, outbox and last sync of a device (safe while it runs)')
  .option('-c, --config <file>', 'device config', 'device.json')
  .option('--json', 'print JSON')
  .action(async (opts: { config: string; json?: boolean }) => {
    const s = await readDeviceStatus(opts.config);
    if (opts.json) return console.log(JSON.stringify(s, null, 2));
    const outbox = `${s.outboxFiles} packages, ${(s.outboxBytes / 1024).toFixed(1)} KiB, ${s.droppedPackages} dropped`;
    console.log(`data folder   ${shownPath(s.dataDir)}`);
    console.log(`device id     ${s.deviceId ?? '(not enrolled yet)'}`);
    console.log(`server        ${s.server ?? '(none: offline device)'}`);
    console.log(`model         ${s.model ?? '(not installed yet: run the device once)'}`);
    console.log(`outbox        ${outbox}`);
    console.log(`last sync     ${s.lastSync ?? 'never'}${s.lastError ? ` (error: ${s.lastError})` : ''}`);
    console.log(`last success  ${s.lastSuccess ?? 'never'}`);
  });

/**
 * Resolves on the first SIGINT/SIGTERM. The run then stops within SHUTDOWN_MS; should anything
 * still hold the process after FORCE_EXIT_MS, or a second signal come, it exits at once.
 */
function onStopSignal(): Promise<void> {
  let signalled = 0;
  return new Promise<void>((resolve) => {
    const onSignal = (sig: string) => {
      if (++signalled > 1) process.exit(130); // a second Ctrl-C means "now"
      console.error(`\n${sig}: stopping after the current frame (press again to force)`);
      setTimeout(() => {
        console.error(`${sig}: shutdown did not finish within ${FORCE_EXIT_MS} ms; exiting`);
        process.exit(1);
      }, FORCE_EXIT_MS).unref();
      resolve();
    };
    process.on('SIGINT', () => onSignal('SIGINT'));
    process.on('SIGTERM', () => onSignal('SIGTERM'));
  });
}

function positiveInt(v: string, flag: string, allowZero = false): number {
  const n = Number(v);
  if (Number.isInteger(n) && n >= (allowZero ? 0 : 1)) return n;
  throw new Error(`${flag} expects ${allowZero ? 'a whole number ≥ 0' : 'a positive whole number'}, got "${v}"`);
}

function zeroOrMore(v: string): number {
  return positiveInt(v, '--report-every', true);
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  const e = err as Error;
  const { TinyMLOpsError } = await import('@tinymlops/contracts');
  console.error(`tinylcm-device: ${e instanceof TinyMLOpsError ? `${e.code}: ` : ''}${e.message}`);
  process.exit(e instanceof TinyMLOpsError && e.code === 'VALIDATION_FAILED' ? 2 : 1);
}
