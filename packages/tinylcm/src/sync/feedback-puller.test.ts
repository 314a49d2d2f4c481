import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ValidationFeedback } from '@tinymlops/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SyncHarness } from './sync-harness.fixture.js';

let h: SyncHarness;
beforeEach(async () => {
  h = await SyncHarness.create();
});
afterEach(() => h.close());

describe('FeedbackPuller, through SyncClient rounds', () => {
  const item = (cursor: number): ValidationFeedback => ({
    feedbackId: `fb_0000000${cursor}`,
    cursor,
    sampleId: `smp_0000000${cursor}`,
    episodeId: 'ep_00000001',
    decision: 'label',
    label: 'bag',
    validatedAt: '2026-11-26T10:05:00.000Z',
  });

  it('applies feedback, acks it, and resumes from the persisted cursor after a restart', async () => {
    h.server.feedback = [item(1), item(2), item(3)];
    const applied: number[] = [];
    const onFeedback = async (items: ValidationFeedback[]) => void applied.push(...items.map((i) => i.cursor));
    expect((await h.client({ onFeedback }).syncOnce()).feedbackApplied).toBe(3);
    expect(h.server.ackedCursor).toBe(3);
    expect(JSON.parse(await readFile(join(h.dir, 'state', 'feedback-cursor.json'), 'utf8'))).toMatchObject({
      applied: 3,
      acked: 3,
    });
    h.server.feedback.push(item(4));
    expect((await h.client({ onFeedback }).syncOnce()).feedbackApplied).toBe(1);
    expect(applied).toEqual([1, 2, 3, 4]);
  });

  it('does not move the cursor when applying fails, and re-acks an ack lost to a crash', async () => {
    h.server.feedback = [item(1)];
    const c = h.client({ onFeedback: () => Promise.reject(new Error('adaptation busy')) });
    expect((await c.syncOnce()).error).toMatch(/adaptation busy/);
    expect(h.server.ackedCursor).toBe(0);
    h.server.faults.push({ match: 'POST /device/v1/feedback/ack', kind: 'status', status: 503 });
    const applied: number[] = [];
    const c2 = h.client({ onFeedback: async (items) => void applied.push(...items.map((i) => i.cursor)) });
    h.now += 3_600_000;
    expect((await c2.syncOnce()).error).toBeDefined();
    expect(h.server.ackedCursor).toBe(0);
    h.now += 3_600_000;
    await h.client({ onFeedback: async (items) => void applied.push(...items.map((i) => i.cursor)) }).syncOnce();
    expect(h.server.ackedCursor).toBe(1);
    expect(applied).toEqual([1]);
  });
});
