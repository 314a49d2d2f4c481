import { createHash } from 'node:crypto';
import type { ApiResult, DeviceApi } from './device-api.js';
import type { Outbox } from './outbox.js';
import type { SyncLogger } from './sync-logger.js';

/** What one upload pass did. */
export interface UploadSummary {
  acked: string[];
  rejected: string[];
  /** Set when the pass stopped early on a retryable or credentials failure. */
  failure?: Extract<ApiResult<never>, { ok: false }>;
}

/**
 * Uploads waiting packages, most valuable first, until the outbox is empty or the server asks to
 * back off. 200/202 → ack (the file is deleted, never sent again); other 4xx except 401/403/408/429
 * → rejected for good (kept under `rejected/`); 5xx, 408, 429, network errors → stop, retry later.
 * A 429 QUOTA_EXCEEDED (the device is over its quota on the server) is the same: every package is
 * kept and the round waits for Retry-After; meanwhile the outbox budget decides what to drop.
 * A package sent before a crash but not acked is sent again: the server answers 200 duplicate.
 * @example
 * const summary = await uploadPending(outbox, api, log);
 * if (summary.failure) backoff.failed(summary.failure.retryAfterMs);
 */
export async function uploadPending(outbox: Outbox, api: DeviceApi, log: SyncLogger): Promise<UploadSummary> {
  const summary: UploadSummary = { acked: [], rejected: [] };
  for (const entry of outbox.pending()) {
    const id = entry.packageId;
    const archive = await outbox.read(id).catch(() => undefined);
    if (!archive) continue; // dropped by the budget while we were uploading others
    if (createHash('sha256').update(archive).digest('hex') !== entry.sha256) {
      log.warn('sync: package corrupt on disk, not sent', { packageId: id });
      await outbox.reject(id, 'corrupt on disk');
      summary.rejected.push(id);
      continue;
    }
    const r = await api.putPackage(id, archive, entry.sha256);
    if (r.ok) {
      await outbox.ack(id);
      summary.acked.push(id);
      if (r.value.duplicate) log.info('sync: package already on the server (replay after a crash)', { packageId: id });
    } else if (r.kind === 'permanent') {
      log.warn('sync: package rejected by the server', {
        packageId: id,
        status: r.status,
        code: r.code,
        message: r.message,
      });
      await outbox.reject(id, `${r.status ?? ''} ${r.code ?? ''} ${r.message}`.trim());
      summary.rejected.push(id);
    } else {
      if (r.code === 'QUOTA_EXCEEDED')
        log.warn('sync: over the server quota; keeping packages until it allows more', {
          packageId: id,
          waiting: outbox.pending().length,
          message: r.message,
          retryAfterMs: r.retryAfterMs,
        });
      summary.failure = r;
      break;
    }
  }
  return summary;
}
