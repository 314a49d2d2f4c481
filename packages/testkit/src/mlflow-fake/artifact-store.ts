import { invalid, notFound } from './mlflow-fake-error.js';

/** `FileInfo` of mlflow_artifacts.proto. */
export interface FileInfoJson {
  path: string;
  is_dir: boolean;
  file_size?: number;
}

/**
 * The fake's artifact root (`--artifacts-destination`), in memory: files by their path relative
 * to the root, like `0/<run id>/artifacts/bundle/bundle.json`.
 */
export class ArtifactStore {
  readonly files = new Map<string, Buffer>();

  put(path: string, bytes: Buffer): void {
    this.files.set(safe(path), bytes);
  }

  get(path: string): Buffer {
    const b = this.files.get(safe(path));
    if (!b) throw notFound(`Artifact '${path}' not found`);
    return b;
  }

  /**
   * The direct children of `dir` (the root when empty), by base name, as `mlflow server`'s
   * `_list_artifacts_mlflow_artifacts` answers them; directories have no size.
   */
  list(dir: string): FileInfoJson[] {
    const prefix = dir ? `${safe(dir)}/` : '';
    const out = new Map<string, FileInfoJson>();
    for (const [p, bytes] of this.files) {
      if (!p.startsWith(prefix)) continue;
      const [head, ...rest] = p.slice(prefix.length).split('/');
      if (!head) continue;
      out.set(
        head,
        rest.length ? { path: head, is_dir: true } : { path: head, is_dir: false, file_size: bytes.length },
      );
    }
    return [...out.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
  }
}

/** `validate_path_is_safe`: no absolute paths, no `..`. */
function safe(path: string): string {
  const p = path.replace(/^\/+/, '').replace(/\/+$/, '');
  if (p.split('/').some((s) => s === '..' || s === '.') || path.startsWith('/')) {
    throw invalid(`Invalid path: ${path}`);
  }
  return p;
}
