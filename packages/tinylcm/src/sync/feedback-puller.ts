import { readFile } from 'node:fs/promises';
import {
  FeedbackOutcomeReport,
  TinyMLOpsError,
  type FeedbackItem,
  type ValidationFeedback,
} from '@tinymlops/contracts';
import { z } from 'zod';
import { writeFileAtomic } from './atomic-write.js';
import type { ApiResult, DeviceApi } from './device-api.js';
import type { SyncLogger } from './sync-logger.js';

/**
 * The local cursor file: what the device applied and what the server knows it applied, and (v2)
 * the outcomes of the applied items not yet acknowledged, so a crash between applying and
 * acknowledging still reports them.
 */
const CursorFile = z.strictObject({
  schemaVersion: z.literal(1),
  applied: z.number().int().nonnegative(),
  acked: z.number().int().nonnegative(),
  outcomes: z.array(FeedbackOutcomeReport).optional(),
});
type CursorFile = z.infer<typeof CursorFile>;

/** Applies validated labels; must be idempotent by `feedbackId` (a crash can deliver an item twice). */
export type FeedbackHandler = (items: ValidationFeedback[]) => Promise<void>;

/**
 * Applies one delivery of the v2 inbox and says what it did with each item (reported to the
 * server with the acknowledgement). Must be idempotent by `feedbackId`, like {@link FeedbackHandler}.
 */
export type InboxHandler = (items: FeedbackItem[]) => Promise<FeedbackOutcomeReport[]>;

/** Options of {@link FeedbackPuller}. */
export interface FeedbackPullerOptions {
  api: DeviceApi;
  /** The cursor file, e.g. `<stateDir>/feedback-cursor.json`. */
  path: string;
  /** v1: labels of the device's own samples, no features, no outcomes. */
  apply?: FeedbackHandler;
  /** v2: every kind of inbox item, labels with their features; outcomes go back with the ack. */
  applyInbox?: InboxHandler;
  log: SyncLogger;
  pageSize?: number;
  /** Pages per pull, so one round stays short (default 10). */
  maxPages?: number;
}

/** A page after the device applied it. */
interface AppliedPage {
  items: { cursor: number }[];
  /** What the device did with each item (v2; empty for v1). */
  outcomes: FeedbackOutcomeReport[];
  nextCursor: number;
  hasMore: boolean;
}

/**
 * Pulls feedback after the persisted cursor, hands it to the caller, and only then moves the
 * cursor and acknowledges it: nothing is acked that was not applied, nothing applied is pulled
 * again. With `applyInbox` it speaks feedback v2 and sends what the device did with each item.
 * @example
 * const puller = new FeedbackPuller({ api, path: join(stateDir, 'feedback-cursor.json'), log,
 *   applyInbox: async (items) => device.applyInbox(items) });
 * await puller.pull();
 */
export class FeedbackPuller {
  private cursor: CursorFile | undefined;

  constructor(private readonly options: FeedbackPullerOptions) {
    if (!options.apply === !options.applyInbox)
      throw new TinyMLOpsError('INVALID_OPTION', 'FeedbackPuller needs exactly one of apply and applyInbox');
  }

  /** True when the puller speaks feedback v2. */
  get v2(): boolean {
    return this.options.applyInbox !== undefined;
  }

  /** The cursor as persisted (loads it on first use). */
  async state(): Promise<{ applied: number; acked: number }> {
    this.cursor ??= await loadCursor(this.options.path);
    return { applied: this.cursor.applied, acked: this.cursor.acked };
  }

  /** One pull: ack what an earlier crash left unacked, then up to `maxPages` pages. Returns items applied. */
  async pull(): Promise<ApiResult<number>> {
    let cursor = await this.state();
    if (cursor.acked < cursor.applied) {
      const acked = await this.ack(cursor.applied, this.cursor?.outcomes ?? []);
      if (!acked.ok) return acked;
    }
    let applied = 0;
    for (let page = 0; page < (this.options.maxPages ?? 10); page++) {
      const r = await this.page(cursor.applied);
      if (!r.ok) return r;
      if (r.value.items.length === 0) break;
      applied += r.value.items.length;
      const last = Math.max(r.value.nextCursor, ...r.value.items.map((i) => i.cursor));
      await this.save({ ...cursor, applied: last, outcomes: r.value.outcomes });
      const acked = await this.ack(last, r.value.outcomes);
      if (!acked.ok) return acked;
      cursor = await this.state();
      if (!r.value.hasMore) break;
    }
    return { ok: true, status: 200, value: applied };
  }

  /** One page, applied: the items, what became of them (v2), and where the page ends. */
  private async page(after: number): Promise<ApiResult<AppliedPage>> {
    const { api, apply, applyInbox, pageSize = 100 } = this.options;
    if (applyInbox) {
      const r = await api.feedbackV2(after, pageSize);
      if (!r.ok) return r;
      const outcomes = r.value.items.length ? await applyInbox(r.value.items) : [];
      return { ...r, value: { ...r.value, outcomes } };
    }
    const r = await api.feedback(after, pageSize);
    if (!r.ok) return r;
    if (r.value.items.length) await apply?.(r.value.items);
    return { ...r, value: { ...r.value, outcomes: [] } };
  }

  private async ack(cursor: number, outcomes: FeedbackOutcomeReport[]): Promise<ApiResult<void>> {
    const { api } = this.options;
    const r = this.v2
      ? await api.ackFeedbackV2({ schemaVersion: 2, cursor, outcomes })
      : await api.ackFeedback({ schemaVersion: 1, cursor });
    if (r.ok) await this.save({ applied: cursor, acked: cursor });
    else this.options.log.warn('sync: feedback ack failed, will repeat', { cursor, message: r.message });
    return r;
  }

  private async save(state: { applied: number; acked: number; outcomes?: FeedbackOutcomeReport[] }): Promise<void> {
    const outcomes = state.outcomes?.length ? { outcomes: state.outcomes } : {};
    this.cursor = { schemaVersion: 1, applied: state.applied, acked: state.acked, ...outcomes };
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
