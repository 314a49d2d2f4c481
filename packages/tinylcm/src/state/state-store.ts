import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { StateSnapshotDocument, TinyMLOpsError, parseOrThrow } from '@tinymlops/contracts';
import { TEMP_MARKER, writeFileAtomicSync } from '../sync/atomic-write.js';
import { decodeStateFile, encodeStateFile } from './state-file.js';

/** Where the store reports snapshots it skipped (corrupt, truncated) or could not delete. */
export interface StateStoreLogger {
  warn(message: string): void;
}

/** Options of {@link StateStore}. */
export interface StateStoreOptions {
  /** Directory holding the `state-<version>.json` files; created when missing. */
  dir: string;
  /** How many newest versions to keep on disk (default 5, as `DeviceConfig.state.keepVersions`). */
  keepVersions?: number;
  /** Receives one line per skipped or unreadable snapshot (default: `console`). */
  logger?: StateStoreLogger;
  /**
   * Versions to keep beyond the newest `keepVersions`, asked at each prune: the version a rollback
   * guard may still need (one heuristic burst or feedback page can write more than `keepVersions`).
   */
  retain?: () => Iterable<number>;
}

/** One retained version as `list()` reports it. */
export interface StateVersionInfo {
  version: number;
  file: string;
  /** False when the file is corrupt or truncated; `loadLatest()` skips it. */
  valid: boolean;
}

const FILE_RE = /^state-(\d{10})\.json$/;

/**
 * Versioned, crash-safe store of {@link StateSnapshotDocument}s. Each version is one file
 * `state-<10-digit version>.json` (a checksummed header line plus the JSON body, see
 * `state-file.ts`), written atomically: temp file, write, fsync, rename, directory fsync. A crash at
 * any point leaves either the old set of versions or the old set plus the complete new one.
 *
 * @example
 * const store = new StateStore({ dir: './data/state', keepVersions: 5 });
 * store.save({ schemaVersion: 1, stateVersion: store.nextVersion(), createdAt: new Date().toISOString(),
 *   reason: 'boot', parentVersion: null, components: {} });
 * const latest = store.loadLatest(); // the newest snapshot whose checksum and schema verify
 */
export class StateStore {
  readonly dir: string;
  readonly keepVersions: number;
  readonly #logger: StateStoreLogger;
  readonly #retain: () => Iterable<number>;

  constructor(options: StateStoreOptions) {
    const keep = options.keepVersions ?? 5;
    if (!Number.isInteger(keep) || keep < 1) {
      throw new TinyMLOpsError(
        'INVALID_OPTION',
        `StateStore: option "keepVersions" must be an integer >= 1, got ${keep}`,
      );
    }
    this.dir = options.dir;
    this.keepVersions = keep;
    this.#retain = options.retain ?? (() => []);
    this.#logger = options.logger ?? console;
    mkdirSync(this.dir, { recursive: true });
    this.#removeStaleTempFiles();
  }

  /** Versions on disk, oldest first, each checked for validity. */
  list(): StateVersionInfo[] {
    return this.#versions().map((version) => {
      const file = fileName(version);
      return { version, file, valid: this.#tryRead(version, false) !== undefined };
    });
  }

  /** One more than the highest version on disk (valid or not), so versions never repeat. */
  nextVersion(): number {
    const versions = this.#versions();
    return (versions.at(-1) ?? 0) + 1;
  }

  /**
   * Validates and writes `doc` atomically as version `doc.stateVersion`, then prunes old versions.
   * Refuses to overwrite an existing version: versions are immutable once written.
   */
  save(doc: StateSnapshotDocument): void {
    const valid = parseOrThrow(StateSnapshotDocument, doc, 'state snapshot');
    if (this.#versions().includes(valid.stateVersion)) {
      throw new TinyMLOpsError('CONFLICT', `state version ${valid.stateVersion} already exists in ${this.dir}`);
    }
    writeFileAtomicSync(join(this.dir, fileName(valid.stateVersion)), encodeStateFile(valid), { mode: 0o600 });
    this.#prune();
  }

  /** The newest valid snapshot, skipping (and logging) corrupt or truncated ones; undefined if none. */
  loadLatest(): StateSnapshotDocument | undefined {
    for (const version of this.#versions().reverse()) {
      const doc = this.#tryRead(version, true);
      if (doc) return doc;
    }
    return undefined;
  }

  /** Reads one version; throws `NOT_FOUND` or `STATE_CORRUPT`. */
  load(version: number): StateSnapshotDocument {
    if (!this.#versions().includes(version)) {
      throw new TinyMLOpsError('NOT_FOUND', `state version ${version} is not retained in ${this.dir}`);
    }
    return decodeStateFile(readFileSync(join(this.dir, fileName(version))), version);
  }

  /**
   * Rolls back to `version` by writing its components as a NEW version (history stays append-only,
   * so the version a device reports only ever grows). Returns the new document.
   */
  rollback(version: number, createdAt: string = new Date().toISOString()): StateSnapshotDocument {
    const target = this.load(version);
    const next: StateSnapshotDocument = {
      ...target,
      stateVersion: this.nextVersion(),
      createdAt,
      reason: `rollback to version ${version}`,
      parentVersion: version,
    };
    this.save(next);
    return next;
  }

  #tryRead(version: number, log: boolean): StateSnapshotDocument | undefined {
    try {
      return decodeStateFile(readFileSync(join(this.dir, fileName(version))), version);
    } catch (err) {
      if (log) this.#logger.warn(`state: skipping ${fileName(version)}: ${(err as Error).message}`);
      return undefined;
    }
  }

  #versions(): number[] {
    return readdirSync(this.dir)
      .map((f) => FILE_RE.exec(f)?.[1])
      .filter((v): v is string => v !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  }

  #prune(): void {
    const versions = this.#versions();
    const retained = new Set(this.#retain());
    for (const version of versions.slice(0, Math.max(0, versions.length - this.keepVersions))) {
      if (retained.has(version)) continue;
      rmSync(join(this.dir, fileName(version)), { force: true });
    }
  }

  #removeStaleTempFiles(): void {
    // A temp file is only ever left behind by a crash before its rename: it was never a version.
    for (const f of readdirSync(this.dir)) {
      if (f.includes(TEMP_MARKER)) rmSync(join(this.dir, f), { force: true });
    }
  }
}

function fileName(version: number): string {
  return `state-${String(version).padStart(10, '0')}.json`;
}
