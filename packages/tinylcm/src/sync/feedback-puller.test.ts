import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  encodeFloat32,
  type FeedbackItem,
  type FeedbackOutcomeReport,
  type ValidationFeedback,
} from '@tinymlops/contracts';
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

describe('FeedbackPuller v2, through SyncClient rounds', () => {
  const item = (cursor: number): FeedbackItem => ({
    feedbackId: `fb_0000000${cursor}`,
    cursor,
    issuedAt: '2026-11-26T10:05:00.000Z',
    kind: 'label',
    decision: 'new-class',
    label: 'bag',
    sampleId: `smp_0000000${cursor}`,
    episodeId: null,
    source: 'fleet',
    sourceDeviceId: 'dev_peer0001',
    model: null,
    features: encodeFloat32([cursor, 1]),
    validatedAt: '2026-11-26T10:05:00.000Z',
  });
  const report = (i: FeedbackItem): FeedbackOutcomeReport => ({
    feedbackId: i.feedbackId,
    cursor: i.cursor,
    status: 'applied',
    at: '2026-11-26T10:06:00.000Z',
  });

  it('asks for the inbox on its first round although nothing is pending, and acks with what it did', async () => {
    const onInbox = async (items: FeedbackItem[]) => items.map(report);
    const c = h.client({ onInbox });
    expect((await c.syncOnce()).feedbackApplied).toBe(0);
    expect(h.server.acks).toEqual([]); // an empty inbox: nothing to acknowledge
    h.server.inbox = [item(1), item(2)];
    expect((await c.syncOnce()).feedbackApplied).toBe(2);
    expect(h.server.acks.at(-1)).toEqual({ schemaVersion: 2, cursor: 2, outcomes: h.server.inbox.map(report) });
    const before = h.server.acks.length;
    await c.syncOnce(); // the heartbeat says 0 pending and the first-round check is done: no pull
    expect(h.server.acks.length).toBe(before);
  });

  it('reports the outcomes of a delivery whose ack a crash lost, from the cursor file', async () => {
    h.server.inbox = [item(1)];
    h.server.faults.push({ match: 'POST /device/v1/feedback/ack', kind: 'status', status: 503 });
    const applied: number[] = [];
    const onInbox = async (items: FeedbackItem[]) => (applied.push(...items.map((i) => i.cursor)), items.map(report));
    expect((await h.client({ onInbox }).syncOnce()).error).toBeDefined();
    h.now += 3_600_000;
    await h.client({ onInbox }).syncOnce(); // a restarted device: re-acks, does not apply again
    expect(applied).toEqual([1]);
    expect(h.server.acks.at(-1)).toEqual({ schemaVersion: 2, cursor: 1, outcomes: [report(item(1))] });
  });
});
