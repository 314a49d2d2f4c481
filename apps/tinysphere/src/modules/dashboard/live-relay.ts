import { randomUUID } from 'node:crypto';
import { LIVE_TOPICS, LiveNotification, type LiveTopic } from '@tinymlops/contracts';
import { sql } from 'kysely';
import pg from 'pg';
import type { Db } from '../../storage/database.js';
import type { LiveHub } from './live-hub.js';

/** The PostgreSQL channel TinySphere processes tell each other about changes on. */
export const LIVE_CHANNEL = 'tinysphere_live';

/** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more; ours stay well below. */
export const MAX_PAYLOAD_BYTES = 7_000;

/** What a relay needs: where to LISTEN, the pool to NOTIFY through, and the hub it serves. */
export interface LiveRelayOptions {
  /** The `postgres://…` URL of the database (the LISTEN connection is one of its own). */
  url: string;
  db: Db;
  hub: LiveHub;
  /** Hear the other processes (API processes); a worker process only tells. */
  listen: boolean;
  warn: (msg: string, err?: unknown) => void;
  /** Reconnect delays of the LISTEN connection: from `first`, doubling up to `max` (ms). */
  backoff?: { first: number; max: number };
}

/**
 * The payload for one coalesced change; device ids are left out if they would not fit (the
 * dashboards then refresh the topics' views of every device, as they do for a change without ids).
 * @example
 * encodeNotification('api-1', ['drift'], ['dev_abc12345']);
 */
export function encodeNotification(origin: string, topics: LiveTopic[], deviceIds: string[]): string {
  const doc: LiveNotification = { schemaVersion: 1, origin, topics, deviceIds };
  const text = JSON.stringify(doc);
  return Buffer.byteLength(text) < MAX_PAYLOAD_BYTES ? text : JSON.stringify({ ...doc, deviceIds: [] });
}

/**
 * Carries live events between the TinySphere processes sharing one PostgreSQL: what the hub
 * publishes goes out as `NOTIFY tinysphere_live` (ids and topics, one per coalescing window), and
 * with `listen`, one LISTEN connection per process hands the others' notifications to the hub's
 * dashboards. Its own notifications (same origin) are ignored. A lost LISTEN connection is
 * reopened with backoff; once back, every topic is announced, since changes may have been missed.
 * @example
 * const relay = await PgLiveRelay.start({ url, db, hub: liveHub(ctx), listen: true, warn: console.warn });
 * await relay.close();
 */
export class PgLiveRelay {
  readonly origin = randomUUID();
  private client: pg.Client | null = null;
  private retry: NodeJS.Timeout | null = null;
  private delay: number;
  private closed = false;
  private connected = false;
  private hadConnected = false;
  /** NOTIFYs on their way (close waits for them, so the last change is not lost at shutdown). */
  private readonly sending = new Set<Promise<unknown>>();

  private constructor(private readonly opts: LiveRelayOptions) {
    this.delay = opts.backoff?.first ?? 1_000;
  }

  /** Starts relaying; with `listen`, resolves once the first LISTEN is in place (or has failed and is being retried). */
  static async start(opts: LiveRelayOptions): Promise<PgLiveRelay> {
    const relay = new PgLiveRelay(opts);
    opts.hub.relayTo((topics, deviceIds) => relay.notify(topics, deviceIds));
    if (opts.listen) await relay.connect();
    return relay;
  }

  /** True while the LISTEN connection is open. */
  get listening(): boolean {
    return this.connected;
  }

  private notify(topics: LiveTopic[], deviceIds: string[]): void {
    const payload = encodeNotification(this.origin, topics, deviceIds);
    const sent = sql`SELECT pg_notify(${LIVE_CHANNEL}, ${payload})`
      .execute(this.opts.db)
      .catch((err: unknown) => this.opts.warn('live relay: NOTIFY failed; other processes miss this change', err))
      .finally(() => this.sending.delete(sent));
    this.sending.add(sent);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.opts.url });
    this.client = client;
    let lost = false;
    const onLost = (err?: unknown) => {
      if (lost || this.closed) return;
      lost = true;
      this.connected = false;
      this.opts.warn(`live relay: LISTEN connection lost; reconnecting in ${this.delay} ms`, err);
      void client.end().catch(() => {});
      this.scheduleReconnect();
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (msg) => msg.channel === LIVE_CHANNEL && this.hear(msg.payload));
    try {
      await client.connect();
      await client.query(`LISTEN ${LIVE_CHANNEL}`);
    } catch (err) {
      onLost(err);
      return;
    }
    if (this.closed) return void client.end().catch(() => {});
    // Back after an outage: what changed meanwhile was not heard, so every view refreshes.
    if (this.hadConnected) this.opts.hub.receive(LIVE_TOPICS);
    this.hadConnected = true;
    this.connected = true;
    this.delay = this.opts.backoff?.first ?? 1_000;
  }

  private scheduleReconnect(): void {
    if (this.closed || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      void this.connect();
    }, this.delay);
    this.delay = Math.min(this.opts.backoff?.max ?? 30_000, this.delay * 2);
  }

  private hear(payload: string | undefined): void {
    let parsed;
    try {
      parsed = LiveNotification.safeParse(JSON.parse(payload ?? ''));
    } catch {
      parsed = null;
    }
    if (!parsed?.success) return this.opts.warn(`live relay: ignored a malformed notification: ${payload}`);
    if (parsed.data.origin === this.origin) return;
    this.opts.hub.receive(parsed.data.topics, parsed.data.deviceIds);
  }

  /** Sends what is pending, stops relaying and closes the LISTEN connection. */
  async close(): Promise<void> {
    this.opts.hub.flush();
    this.opts.hub.relayTo(null);
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    this.connected = false;
    await Promise.all([...this.sending]);
    await this.client?.end().catch(() => {});
  }
}
