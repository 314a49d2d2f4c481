import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { OperationalMode } from '@tinymlops/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { blobDevice, labelled } from './fixtures/blob-device.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A blob device in a fresh (or the given) directory, removed after the test. */
function device(
  mode: OperationalMode,
  dataDir = mkdtempSync(path.join(tmpdir(), 'dev-adapt-')),
  modelVersion = '1.0.0',
  keepVersions = 4,
) {
  dirs.push(dataDir);
  return blobDevice(mode, dataDir, modelVersion, keepVersions);
}

describe('DeviceAdaptation', () => {
  it('server-assisted: quarantines the drift episode under the reporter’s sample ids and learns the validated labels', async () => {
    const d = device('server-assisted');
    expect(d.adaptation.policy.appliesFeedback).toBe(true);
    await d.feed('a', 40);
    await d.feed('new', 30);
    expect(d.sampleIds.length).toBeGreaterThanOrEqual(10);
    expect(d.sampleIds.every((id) => id.startsWith('smp_new'))).toBe(true);
    expect(d.knn.classes).toEqual(['a', 'b']);
    await d.adaptation.applyFeedback(labelled(d.sampleIds.slice(0, 10), 'new'));
    expect(d.knn.classes).toEqual(['a', 'b', 'new']);
    expect(d.predictions().filter((p, i) => i % 3 === 2 && p.label === 'new')).toHaveLength(10);
    const last = d.uploads.at(-1);
    expect(last?.adaptation?.map((e) => e.action)).toContain('feedback-applied');
    expect(last?.stateSnapshot?.stateVersion).toBe(d.adaptation.stateVersion);
    expect(d.adaptation.store.list().length).toBeLessThanOrEqual(4); // config.state.keepVersions
  });

  it('boots the latest snapshot after a reboot: same state version, same classifier bytes', async () => {
    const d = device('server-assisted');
    await d.feed('a', 40);
    await d.feed('new', 30);
    await d.adaptation.applyFeedback(labelled(d.sampleIds.slice(0, 10), 'new'));
    const rebooted = device('server-assisted', d.dataDir);
    expect(rebooted.adaptation.stateVersion).toBe(d.adaptation.stateVersion);
    expect(rebooted.bytes()).toBe(d.bytes());
    expect(rebooted.adaptation.quarantine.adapted(d.sampleIds[0] ?? '')).toBeDefined();
  });

  it('does not apply a snapshot of another model version at boot', async () => {
    const d = device('server-assisted');
    await d.feed('a', 40);
    await d.feed('new', 30);
    await d.adaptation.applyFeedback(labelled(d.sampleIds.slice(0, 10), 'new'));
    const other = device('server-assisted', d.dataDir, '2.0.0');
    expect(other.knn.classes).toEqual(['a', 'b']);
    expect(other.adaptation.stateVersion).toBe(0);
  });

  it('rollback restores exactly the earlier behaviour: same predictions on the same frames', async () => {
    const d = device('server-assisted', undefined, '1.0.0', 20);
    await d.feed('a', 40);
    await d.feed('new', 30);
    await d.adaptation.applyFeedback(labelled(d.sampleIds.slice(0, 5), 'new'));
    const v = d.adaptation.stateVersion;
    const before = d.predictions();
    await d.adaptation.applyFeedback(labelled(d.sampleIds.slice(5, 10), 'b'));
    expect(d.predictions()).not.toEqual(before);
    d.adaptation.state.rollbackTo(v);
    expect(d.predictions()).toEqual(before);
    expect(d.adaptation.stateVersion).toBeGreaterThan(v); // recorded as a new version
  });

  it('hands every adaptation event to the outbox once it accepts them, across a full outbox and a reboot', async () => {
    let full = true;
    const dataDir = mkdtempSync(path.join(tmpdir(), 'dev-adapt-'));
    dirs.push(dataDir);
    const d = blobDevice('server-assisted', dataDir, '1.0.0', 4, () => full);
    await d.feed('a', 40);
    await d.feed('new', 30);
    await d.adaptation.applyFeedback(labelled(d.sampleIds.slice(0, 5), 'new')); // does not throw
    expect(d.uploads).toHaveLength(0);
    const recorded = d.adaptation.tracker.lastSeq;
    expect(recorded).toBeGreaterThan(0);
    // Reboot with a working outbox: the first frame sends everything recorded before.
    full = false;
    const rebooted = blobDevice('server-assisted', dataDir, '1.0.0', 4, () => full);
    await rebooted.feed('a', 1);
    expect(rebooted.uploads.flatMap((u) => u.adaptation ?? []).map((e) => e.seq)).toEqual(
      Array.from({ length: recorded }, (_, i) => i + 1),
    );
    // Sent is sent: a second reboot sends nothing again.
    const again = blobDevice('server-assisted', dataDir, '1.0.0', 4, () => full);
    await again.feed('a', 1);
    expect(again.uploads).toHaveLength(0);
  });

  it('autonomous: a dense far cluster becomes a pseudo-class and the events go to the outbox', async () => {
    const d = device('autonomous');
    await d.feed('a', 60);
    await d.feed('new', 40);
    expect(d.knn.classes).toContain('pseudo-1');
    const actions = d.uploads.flatMap((u) => u.adaptation ?? []).map((e) => e.action);
    expect(actions).toContain('pseudo-class-created');
    expect(d.uploads.at(-1)?.stateSnapshot?.components.classifier).toBeDefined();
  });

  it('monitoring-only: drift is flagged, nothing is quarantined, feedback is refused, no state is written', async () => {
    const d = device('monitoring-only');
    const bytes = d.bytes();
    await d.feed('a', 40);
    await d.feed('new', 40);
    const [refused] = await d.adaptation.applyFeedback(labelled(['smp_new_000050'], 'new'));
    expect(refused?.status).toBe('rejected');
    expect(d.sampleIds).toEqual([]);
    expect(d.bytes()).toBe(bytes);
    expect(d.uploads).toEqual([]);
    expect(readdirSync(path.join(d.dataDir, 'state'))).toEqual([]);
    expect(d.adaptation.stateVersion).toBe(0);
  });
});
