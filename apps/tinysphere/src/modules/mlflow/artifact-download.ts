import { TinyMLOpsError } from '@tinymlops/contracts';
import type { MlflowClient } from './mlflow-client.js';

/** Bounds on what an import downloads, so a huge or runaway artifact folder cannot fill memory. */
export interface DownloadLimits {
  maxFiles: number;
  maxBytes: number;
}

/**
 * Every file under an artifact folder (through the proxy), by path relative to that folder.
 * Walks the folder tree breadth first; refuses folders over `limits` before downloading more.
 * @example
 * const files = await downloadArtifactTree(mlflow, '1/abc/artifacts/bundle', { maxFiles: 1000, maxBytes: 256 << 20 });
 */
export async function downloadArtifactTree(
  client: MlflowClient,
  root: string,
  limits: DownloadLimits,
): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const queue = [''];
  let bytes = 0;
  while (queue.length > 0) {
    const rel = queue.shift() as string;
    for (const f of await client.listArtifacts(rel ? `${root}/${rel}` : root)) {
      const path = rel ? `${rel}/${f.path}` : f.path;
      if (f.is_dir) {
        queue.push(path);
        continue;
      }
      if (files.size >= limits.maxFiles) throw tooBig(root, `more than ${limits.maxFiles} files`);
      bytes += f.file_size ?? 0;
      if (bytes > limits.maxBytes) throw tooBig(root, `more than ${limits.maxBytes} bytes`);
      const body = await client.downloadArtifact(`${root}/${path}`);
      files.set(path, body);
    }
  }
  if (files.size === 0)
    throw new TinyMLOpsError('VALIDATION_FAILED', `the artifact folder ${root} is empty or does not exist`);
  return files;
}

function tooBig(root: string, what: string): TinyMLOpsError {
  return new TinyMLOpsError(
    'PAYLOAD_TOO_LARGE',
    `the artifact folder ${root} holds ${what}; a model import takes less`,
  );
}
