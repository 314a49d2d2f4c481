import {
  TinyMLOpsError,
  type DeviceConfigPatch,
  type DeviceSettings,
  type FeedbackItem,
  type FeedbackOutcomeReport,
  type OperationalMode,
} from '@tinymlops/contracts';
import type { InboxItem } from '../adapt/inbox-page.js';
import { outcome, toReport, type InboxOutcome } from '../adapt/inbox-outcome.js';
import type { DeviceAdaptation } from './device-adaptation.js';
import type { DeviceDataDir } from './device-data-dir.js';
import { fieldsForNextStart, serverMode } from './server-config.js';
import { ServerSettingsFile } from './server-settings-file.js';
import type { TelemetryReporter } from './telemetry-reporter.js';

/** What {@link DeviceInbox.of} needs of a device (`EdgeDevice` has it). */
export interface InboxDevice {
  readonly config: { mode: OperationalMode; server?: { syncIntervalSeconds: number } | undefined };
  /** device.json before the server's configuration: what a rollback returns to. */
  readonly deviceJson?: { server?: { syncIntervalSeconds: number } | undefined };
  readonly dataDir: Pick<DeviceDataDir, 'serverSettings'>;
  readonly mode: OperationalMode;
  setMode(mode: OperationalMode): void;
  /** See {@link DeviceInboxOptions.checkConfig}. */
  checkConfig?(patch: DeviceConfigPatch): void;
  /** See {@link DeviceInboxOptions.setSyncInterval}. */
  setSyncInterval?(seconds: number): boolean;
  readonly adaptation: Pick<DeviceAdaptation, 'applyInbox'>;
  readonly telemetry: Pick<TelemetryReporter, 'log'>;
}

type SettingsItem = Extract<FeedbackItem, { kind: 'settings' }>;

/** What a device does with the two kinds of inbox items. */
export interface InboxTarget {
  /** Applies a settings document; says what it did (applied, merged, rejected with the reason). */
  applySettings(settings: DeviceSettings): Pick<InboxOutcome, 'status' | 'reason'>;
  /** Applies labels, false alarms, reverts and relabels. */
  applyItems(items: readonly InboxItem[]): Promise<InboxOutcome[]>;
}

/**
 * Applies one inbox delivery on a device in cursor order and returns the reports for the
 * acknowledgement. Of several settings documents only the newest revision is applied (the older
 * ones are `superseded`); items before it are applied under the mode they found, items after it
 * under the new one.
 * @example
 * const reports = await applyDeviceInbox(page.items, device, new Date());
 */
export async function applyDeviceInbox(
  items: readonly FeedbackItem[],
  target: InboxTarget,
  at: Date,
): Promise<FeedbackOutcomeReport[]> {
  const settings = items.filter((i): i is SettingsItem => i.kind === 'settings');
  const newest = settings.reduce<SettingsItem | undefined>(
    (best, i) => (!best || i.settings.revision > best.settings.revision ? i : best),
    undefined,
  );
  const outcomes = new Map<number, InboxOutcome>();
  let run: InboxItem[] = [];
  const flush = async () => {
    if (run.length) for (const o of await target.applyItems(run)) outcomes.set(o.cursor, o);
    run = [];
  };
  // In cursor order: items before the newest settings apply under the old mode, items after under the new.
  for (const i of [...items].sort((a, b) => a.cursor - b.cursor)) {
    if (i.kind !== 'settings') run.push(i);
    else if (i !== newest) {
      const why = `revision ${newest?.settings.revision} replaced it`;
      outcomes.set(i.cursor, outcome(i, 'superseded', why));
    } else {
      await flush();
      outcomes.set(i.cursor, { ...outcome(i, 'applied'), ...target.applySettings(i.settings) });
    }
  }
  await flush();
  return items.flatMap((i) => {
    const o = outcomes.get(i.cursor);
    return o ? [toReport(o, at)] : [];
  });
}

/** Options of {@link DeviceInbox}. */
export interface DeviceInboxOptions {
  /** Where the server's settings are kept across restarts. */
  settingsFile: ServerSettingsFile;
  /** The mode in `device.json` (in force when the server's settings name none). */
  configMode: OperationalMode;
  mode: () => OperationalMode;
  /** Switches the mode now; throws a TinyMLOpsError when the device cannot run it. */
  setMode: (mode: OperationalMode) => void;
  /** Throws a TinyMLOpsError saying why when the device cannot honour a configuration version. */
  checkConfig?: ((patch: DeviceConfigPatch) => void) | undefined;
  /** Changes the sync interval now; true when it changed. Absent: it changes at the next start. */
  setSyncInterval?: ((seconds: number) => boolean) | undefined;
  /** The sync interval in `device.json` (back in force when a configuration no longer sets one). */
  configSyncIntervalSeconds?: number | undefined;
  applyItems: (items: readonly InboxItem[]) => Promise<InboxOutcome[]>;
  log: (level: 'info' | 'warn', message: string, context: Record<string, unknown>) => void;
  now: () => number;
  /** Sees each delivery and what became of it. */
  observe?: (items: FeedbackItem[], reports: FeedbackOutcomeReport[]) => void | Promise<void>;
}

/**
 * A device's inbox handler (the sync client's `onInbox`): settings switch the mode at once and
 * are kept on disk; everything else goes to the adaptation; a summary goes to the device's log.
 * @example
 * const inbox = new DeviceInbox({ settingsFile, configMode, mode, setMode, applyItems, log, now });
 * const reports = await inbox.apply(page.items);
 */
export class DeviceInbox {
  constructor(private readonly o: DeviceInboxOptions) {}

  /**
   * The inbox of a device: its settings file, its mode, its adaptation, its log.
   * @example
   * const inbox = DeviceInbox.of(edgeDevice, Date.now);
   */
  static of(device: InboxDevice, now: () => number, observe?: DeviceInboxOptions['observe']): DeviceInbox {
    return new DeviceInbox({
      settingsFile: new ServerSettingsFile(device.dataDir.serverSettings),
      configMode: device.config.mode,
      mode: () => device.mode,
      setMode: (mode) => device.setMode(mode),
      checkConfig: device.checkConfig?.bind(device),
      setSyncInterval: device.setSyncInterval?.bind(device),
      // Not `config`: after a restart it already holds the server's interval, which a rollback undoes.
      configSyncIntervalSeconds: (device.deviceJson ?? device.config).server?.syncIntervalSeconds,
      applyItems: (items) => device.adaptation.applyInbox(items),
      log: (level, message, context) => device.telemetry.log(level, message, context),
      now,
      ...(observe ? { observe } : {}),
    });
  }

  /** Applies one delivery; returns the reports for the acknowledgement. */
  async apply(items: FeedbackItem[]): Promise<FeedbackOutcomeReport[]> {
    const target = { applySettings: (s: DeviceSettings) => this.#settings(s), applyItems: this.o.applyItems };
    const reports = await applyDeviceInbox(items, target, new Date(this.o.now()));
    const count = (status: string) => reports.filter((r) => r.status === status).length;
    const rejected = count('rejected');
    const summary = `inbox: ${count('applied')} applied, ${count('merged')} merged, ${rejected} rejected`;
    this.o.log(rejected ? 'warn' : 'info', summary, { cursor: items.at(-1)?.cursor ?? 0 });
    await this.o.observe?.(items, reports);
    return reports;
  }

  #settings(s: DeviceSettings): Pick<InboxOutcome, 'status' | 'reason'> {
    const mode = serverMode(s, this.o.configMode);
    const before = this.o.mode();
    const cfg = s.config;
    const name = cfg ? `config ${cfg.configId}@${cfg.version}` : undefined;
    try {
      if (cfg) this.o.checkConfig?.(cfg.settings);
      if (mode !== before) this.o.setMode(mode);
    } catch (err) {
      if (!(err instanceof TinyMLOpsError)) throw err;
      return { status: 'rejected', reason: name ? `${name} refused: ${err.message}` : err.message };
    }
    const hadConfig = this.o.settingsFile.read()?.config;
    this.o.settingsFile.write(s);
    const interval = cfg?.settings.syncIntervalSeconds ?? this.o.configSyncIntervalSeconds;
    const live = interval !== undefined && this.o.setSyncInterval?.(interval) ? [`sync every ${interval} s`] : [];
    if (mode !== before)
      live.unshift(`mode ${mode} (from ${s.mode || cfg?.settings.mode ? 'the server' : 'device.json'})`);
    const later = fieldsForNextStart(cfg?.settings);
    if (cfg?.settings.syncIntervalSeconds && !this.o.setSyncInterval) later.push('syncIntervalSeconds');
    const sameConfig = hadConfig?.configId === cfg?.configId && hadConfig?.version === cfg?.version;
    if (live.length === 0 && sameConfig) return { status: 'merged', reason: `already ${mode}` };
    const parts = [...live, ...(later.length ? [`${later.join(', ')} at the next start`] : [])];
    const what = parts.length ? parts.join('; ') : `mode ${mode}`;
    return { status: 'applied', reason: name ? `${name}: ${what}` : what };
  }
}
