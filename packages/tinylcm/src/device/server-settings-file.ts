import { existsSync, readFileSync } from 'node:fs';
import { DeviceSettings } from '@tinymlops/contracts';
import { writeFileAtomicSync } from '../sync/atomic-write.js';

/**
 * The settings document the server sent last, kept in the data folder so a restarted device runs
 * as the server asked (its fields win over `device.json`) before it can reach the server again.
 * @example
 * const file = new ServerSettingsFile(dataDir.serverSettings);
 * const mode = file.read()?.mode ?? config.mode;
 */
export class ServerSettingsFile {
  constructor(readonly path: string) {}

  /** The stored document; undefined when there is none or it does not parse (then device.json rules). */
  read(): DeviceSettings | undefined {
    if (!existsSync(this.path)) return undefined;
    try {
      const parsed = DeviceSettings.safeParse(JSON.parse(readFileSync(this.path, 'utf8')));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  /** Replaces the stored document atomically. */
  write(settings: DeviceSettings): void {
    writeFileAtomicSync(this.path, `${JSON.stringify(settings)}\n`);
  }
}
