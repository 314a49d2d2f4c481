import { readFile } from 'node:fs/promises';
import { TinyMLOpsError, type ValidationFeedback } from '@tinymlops/contracts';
import { z } from 'zod';
import { writeFileAtomic } from './atomic-write.js';
import type { ApiResult, DeviceApi } from './device-api.js';
import type { SyncLogger } from './sync-logger.js';

/** The local cursor file: what the device applied and what the server knows it applied. */
const CursorFile = z.strictObject({
  schemaVersion: z.literal(1),
  applied: z.number().int().nonnegative(),
  acked: z.number().int().nonnegative(),
});
type CursorFile = z.infer<typeof CursorFile>;

/** Applies validated labels; must be idempotent by `feedbackId` (a crash can deliver an item twice). */
export type FeedbackHandler = (items: ValidationFeedback[]) => Promise<void>;

/** Options of {@link FeedbackPuller}. */
export interface FeedbackPullerOptions {
  api: DeviceApi;
  /** The cursor file, e.g. `<stateDir>/feedback-cursor.json`. */
  path: string;
  apply: FeedbackHandler;
  log: SyncLogger;
  pageSize?: number;
  /** Pages per pull, so one round stays short (default 10). */
  maxPages?: number;
}

/**
 * Pulls feedback after the persisted cursor, hands it to the caller, and only then moves the
 * cursor and acknowledges it: nothing is acked that was not applied, nothing applied is pulled again.
 * @example
 * const puller = new FeedbackPuller({ api, path: join(stateDir, 'feedback-cursor.json'), log,
 *   apply: async (items) => { for (const f of items) await adapt(f); } });
 * await puller.pull();
 */
export class FeedbackPuller {
  private cursor: CursorFile | undefined;

  constructor(private readonly options: FeedbackPullerOptions) {}

  /** The cursor as persisted (loads it on first use). */
  async state(): Promise<{ applied: number; acked: number }> {
    this.cursor ??= await loadCursor(this.options.path);
    return { applied: this.cursor.applied, acked: this.cursor.acked };
  }

  /** One pull: ack what an earlier crash left unacked, then up to `maxPages` pages. Returns items applied. */
  async pull(): Promise<ApiResult<number>> {
    const { api, apply } = this.options;
    let cursor = await this.state();
    if (cursor.acked < cursor.applied) {
      const acked = await this.ack(cursor.applied);
      if (!acked.ok) return acked;
    }
    let applied = 0;
    for (let page = 0; page < (this.options.maxPages ?? 10); page++) {
      const r = await api.feedback(cursor.applied, this.options.pageSize ?? 100);
      if (!r.ok) return r;
      if (r.value.items.length === 0) break;
      await apply(r.value.items);
      applied += r.value.items.length;
      const last = Math.max(r.value.nextCursor, ...r.value.items.map((i) => i.cursor));
      await this.save({ ...cursor, applied: last });
      const acked = await this.ack(last);
      if (!acked.ok) return acked;
      cursor = await this.state();
      if (!r.value.hasMore) break;
    }
    return { ok: true, status: 200, value: applied };
  }

  private async ack(cursor: number): Promise<ApiResult<void>> {
    const r = await this.options.api.ackFeedback({ schemaVersion: 1, cursor });
    if (r.ok) await this.save({ applied: cursor, acked: cursor });
    else this.options.log.warn('sync: feedback ack failed, will repeat', { cursor, message: r.message });
    return r;
  }

  private async save(state: { applied: number; acked: number }): Promise<void> {
    this.cursor = { schemaVersion: 1, ...state };
    await writeFileAtomic(this.options.path, `${JSON.stringify(this.cursor)}\n`);
  }
}

async function loadCursor(path: string): Promise<CursorFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { schemaVersion: 1, applied: 0, acked: 0 };
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = CursorFile.safeParse(json);
  if (!parsed.success) throw new TinyMLOpsError('STATE_CORRUPT', `feedback cursor ${path} is invalid`);
  return parsed.data;
}
