import { LiveNotification, type LiveEvent } from '@tinymlops/contracts';
import { createTestDatabase } from '@tinymlops/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase, type OpenDatabase } from '../../storage/open-database.js';
import { waitUntil } from '../../testing/test-server.js';
import { LiveHub } from './live-hub.js';
import { encodeNotification, LIVE_CHANNEL, PgLiveRelay } from './live-relay.js';

const serverUrl = inject('postgresUrl');

describe('encodeNotification', () => {
  it('stays under the 8000-byte NOTIFY limit with the most device ids an event carries', () => {
    const ids = Array.from({ length: 100 }, (_, i) => `dev_${String(i).padStart(60, 'x')}`);
    const payload = encodeNotification('origin-1', ['drift', 'devices', 'adaptations', 'feedback'], ids);
    expect(Buffer.byteLength(payload)).toBeLessThan(8000);
    expect(LiveNotification.parse(JSON.parse(payload)).deviceIds).toHaveLength(100);
  });

  it('drops the device ids, not the change, when they would not fit', () => {
    const ids = Array.from({ length: 400 }, (_, i) => `dev_${String(i).padStart(60, 'x')}`);
    const doc = JSON.parse(encodeNotification('origin-1', ['drift'], ids)) as LiveNotification;
    expect(doc.topics).toEqual(['drift']);
    expect(doc.deviceIds).toEqual([]);
  });
});

/** A hub that flushes at once, with one open "dashboard" recording what it is sent. */
function dashboardHub() {
  const hub = new LiveHub(0, () => new Date());
  const events: LiveEvent[] = [];
  hub.subscribe((e) => events.push(e));
  return { hub, events };
}

describe.skipIf(!serverUrl)('PgLiveRelay on PostgreSQL', () => {
  let t: { url: string; drop: () => Promise<void> };
  let d: OpenDatabase;
  const relays: PgLiveRelay[] = [];
  const warnings: string[] = [];
  const warn = (msg: string) => void warnings.push(msg);
  const start = async (hub: LiveHub, listen: boolean) => {
    const relay = await PgLiveRelay.start({
      url: t.url,
      db: d.db,
      hub,
      listen,
      warn,
      backoff: { first: 50, max: 400 },
    });
    relays.push(relay);
    return relay;
  };

  beforeAll(async () => {
    t = await createTestDatabase(serverUrl);
    d = await openDatabase(t.url);
  });
  afterAll(async () => {
    for (const r of relays) await r.close();
    await d?.close();
    await t?.drop();
  });

  it('carries a change from a worker-like process to an API process, and not back to its sender', async () => {
    const api = dashboardHub();
    const other = dashboardHub();
    const worker = new LiveHub(0, () => new Date()); // no dashboards, as in `tinysphere worker`
    await start(api.hub, true);
    await start(other.hub, true);
    await start(worker, false);

    worker.publish(['drift', 'devices'], ['dev_worker01']);
    const got = await waitUntil(
      async () => api.events,
      (e) => e.length > 0,
      30_000,
    );
    expect(got[0]).toMatchObject({ topics: ['drift', 'devices'], deviceIds: ['dev_worker01'] });

    // The API process's own change reaches its dashboards once (locally), and the other API process
    // once (relayed). A later change from the other process is the barrier: notifications arrive
    // in commit order, so by the time it is heard, an echo of the own one would have been too.
    api.hub.publish(['models']);
    other.hub.publish(['rollouts']);
    await waitUntil(
      async () => api.events,
      (e) => e.some((x) => x.topics.includes('rollouts')),
      30_000,
    );
    expect(api.events.filter((e) => e.topics.includes('models'))).toHaveLength(1);
    await waitUntil(
      async () => other.events,
      (e) => e.some((x) => x.topics.includes('models')),
      30_000,
    );
    expect(other.events.filter((e) => e.topics.includes('rollouts'))).toHaveLength(1);
  });

  it('reconnects its LISTEN connection after losing it, and announces every topic once back', async () => {
    const api = dashboardHub();
    const relay = await start(api.hub, true);
    const sender = new LiveHub(0, () => new Date());
    await start(sender, false);
    expect(relay.listening).toBe(true);
    // Ends every LISTEN connection of the database (the server side of a network cut).
    await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
              WHERE datname = current_database() AND query = ${`LISTEN ${LIVE_CHANNEL}`}`.execute(d.db);
    await waitUntil(
      async () => warnings.some((w) => w.includes('LISTEN connection lost')),
      (x) => x,
      30_000,
    );
    const caughtUp = await waitUntil(
      async () => api.events,
      (e) => e.some((x) => x.topics.length === 6),
      30_000,
    );
    expect(new Set(caughtUp.at(-1)?.topics)).toEqual(
      new Set(['devices', 'drift', 'models', 'adaptations', 'feedback', 'rollouts']),
    );
    expect(relay.listening).toBe(true);
    sender.publish(['feedback'], ['dev_after001']);
    await waitUntil(
      async () => api.events,
      (e) => e.some((x) => x.deviceIds.includes('dev_after001')),
      30_000,
    );
  });

  it('ignores a malformed notification with a warning, and keeps relaying', async () => {
    const api = dashboardHub();
    await start(api.hub, true);
    const sender = new LiveHub(0, () => new Date());
    await start(sender, false);
    await sql`SELECT pg_notify(${LIVE_CHANNEL}, 'not json')`.execute(d.db);
    sender.publish(['drift'], ['dev_after002']);
    await waitUntil(
      async () => api.events,
      (e) => e.some((x) => x.deviceIds.includes('dev_after002')),
      30_000,
    );
    expect(warnings.some((w) => w.includes('malformed notification: not json'))).toBe(true);
    expect(api.events.every((e) => e.topics.length > 0)).toBe(true);
  });
});
