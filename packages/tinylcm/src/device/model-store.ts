import { cp, mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { BundleManifest } from '@tinymlops/contracts';
import { writeFileAtomic } from '../sync/atomic-write.js';

interface Pointer {
  current: string;
  previous?: string;
}

/**
 * The device's installed bundles: `models/<id>@<version>/` folders and `models/current.json`,
 * a pointer switched atomically (write temp, fsync, rename), so a crash mid-switch leaves either
 * the old or the new model active, never half of each. The previous bundle is kept for rollback.
 * @example
 * const store = new ModelStore('data/models');
 * const dir = await store.currentDir() ?? await store.install('bundles/fashion-mnv2', manifest);
 */
export class ModelStore {
  constructor(readonly dir: string) {}

  private get pointerFile(): string {
    return path.join(this.dir, 'current.json');
  }

  /** The active bundle folder, or undefined before the first install. */
  async currentDir(): Promise<string | undefined> {
    const name = await this.currentName();
    return name === undefined ? undefined : path.join(this.dir, name);
  }

  /** The active bundle as `<id>@<version>`, or undefined before the first install. */
  async currentName(): Promise<string | undefined> {
    return (await this.pointer())?.current;
  }

  /** The previously active bundle folder (the rollback target), if any. */
  async previousDir(): Promise<string | undefined> {
    const p = await this.pointer();
    return p?.previous ? path.join(this.dir, p.previous) : undefined;
  }

  /** Copies a verified bundle into the store (not yet active); returns its folder. */
  async install(from: string, manifest: Pick<BundleManifest, 'id' | 'version'>): Promise<string> {
    const name = `${manifest.id}@${manifest.version}`;
    const to = path.join(this.dir, name);
    await mkdir(this.dir, { recursive: true });
    if (path.resolve(from) !== path.resolve(to)) {
      await rm(to, { recursive: true, force: true });
      await cp(from, to, { recursive: true });
    }
    return to;
  }

  /** Makes an installed bundle folder the active one, remembering the one it replaces. */
  async activate(bundleDir: string): Promise<void> {
    const old = await this.pointer();
    const next: Pointer = {
      current: path.basename(bundleDir),
      ...(old && old.current !== path.basename(bundleDir) ? { previous: old.current } : {}),
    };
    await writeFileAtomic(this.pointerFile, `${JSON.stringify(next)}\n`);
  }

  private async pointer(): Promise<Pointer | undefined> {
    try {
      return JSON.parse(await readFile(this.pointerFile, 'utf8')) as Pointer;
    } catch {
      return undefined;
    }
  }
}
