import { loadCredentials, type DeviceCredentials } from '../sync/device-credentials.js';
import type { Outbox } from '../sync/outbox.js';
import { buildPackage, packageIdFor, type PackageParts } from '../sync/package-builder.js';

/** Options of {@link DevicePackages}. */
export interface DevicePackagesOptions {
  outbox: Outbox;
  /** The credentials file; the device id in it names every package. */
  credentialsFile: string;
  now: () => number;
  /** Most reports held in memory while the device has never reached the server (default 200). */
  maxUnenrolled?: number;
}

/**
 * Turns the device's reports (drift, telemetry, adaptation) into outbox packages. A package id
 * needs the device id, so until the device has enrolled (it may boot offline) reports wait in
 * memory, bounded, and are packaged by {@link enrolled}; after that every report becomes a package
 * in the on-disk outbox at once.
 * @example
 * const packages = new DevicePackages({ outbox, credentialsFile: dataDir.credentials, now: Date.now });
 * await packages.enqueue({ drift: { events, samples } });
 */
export class DevicePackages {
  #credentials: DeviceCredentials | undefined;
  #waiting: PackageParts[] = [];

  constructor(private readonly o: DevicePackagesOptions) {}

  /** The device id, once known. */
  get deviceId(): string | undefined {
    return this.#credentials?.deviceId;
  }

  /** The saved credentials, if the device has enrolled. */
  async credentials(): Promise<DeviceCredentials | undefined> {
    this.#credentials ??= await loadCredentials(this.o.credentialsFile);
    return this.#credentials;
  }

  /** Packages `parts` into the outbox now (or holds them until the device has enrolled). */
  async enqueue(parts: PackageParts): Promise<void> {
    const creds = await this.credentials();
    if (!creds) {
      if (this.#waiting.length >= (this.o.maxUnenrolled ?? 200)) this.#waiting.shift();
      this.#waiting.push(parts);
      return;
    }
    const { deviceId } = creds;
    const packageId = packageIdFor(deviceId, this.o.outbox.reserveSequence());
    const createdAt = new Date(this.o.now());
    await this.o.outbox.enqueue(await buildPackage({ packageId, deviceId, createdAt, parts }));
  }

  /** The device has (new) credentials: package everything that waited for them. */
  async enrolled(creds: DeviceCredentials): Promise<void> {
    this.#credentials = creds;
    for (const parts of this.#waiting.splice(0)) await this.enqueue(parts);
  }

  /** The credentials were revoked: hold reports again until the device has enrolled anew. */
  forget(): void {
    this.#credentials = undefined;
  }
}
