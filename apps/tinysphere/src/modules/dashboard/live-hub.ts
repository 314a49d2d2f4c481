import type { LiveEvent, LiveTopic } from '@tinymlops/contracts';
import type { BatchJobHandler } from '../../storage/job-worker.js';

type Listener = (event: LiveEvent) => void;

/** Tells other processes what changed here (see `PgLiveRelay`). */
export type RelaySend = (topics: LiveTopic[], deviceIds: string[]) => void;

/** Topics and device ids collected within one coalescing window. */
class Pending {
  topics = new Set<LiveTopic>();
  devices = new Set<string>();
  add(topics: readonly LiveTopic[], deviceIds: readonly string[]): void {
    for (const t of topics) this.topics.add(t);
    for (const d of deviceIds) if (this.devices.size < 100) this.devices.add(d);
  }
  take(): [LiveTopic[], string[]] {
    const out: [LiveTopic[], string[]] = [[...this.topics], [...this.devices]];
    this.topics = new Set();
    this.devices = new Set();
    return out;
  }
}

/**
 * Fans changes out to every open dashboard: `publish` collects topics and device ids, and after
 * the coalescing window one {@link LiveEvent} goes to every subscriber (a fleet's heartbeats
 * become one event a window, not one per device). With a relay (PostgreSQL), what is published
 * here also goes to the other processes, and what they publish arrives through `receive`.
 * @example
 * const hub = new LiveHub(1000, () => new Date());
 * const stop = hub.subscribe((e) => console.log(e.topics));
 * hub.publish(['drift'], ['dev_abc12345']);
 */
export class LiveHub {
  private readonly listeners = new Set<Listener>();
  /** For this process's dashboards. */
  private readonly local = new Pending();
  /** For the other processes (only with a relay). */
  private readonly outbound = new Pending();
  private relay: RelaySend | null = null;
  private timer: NodeJS.Timeout | null = null;
  private seq = 0;

  constructor(
    private readonly windowMs: number,
    private readonly now: () => Date,
  ) {}

  get subscribers(): number {
    return this.listeners.size;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sends every change published here to other processes too, once a window. */
  relayTo(send: RelaySend | null): void {
    this.relay = send;
  }

  /** A change made in this process: for its dashboards and, with a relay, for the other processes. */
  publish(topics: readonly LiveTopic[], deviceIds: readonly string[] = []): void {
    if (this.relay) this.outbound.add(topics, deviceIds);
    if (this.listeners.size > 0) this.local.add(topics, deviceIds);
    if (this.relay || this.listeners.size > 0) this.schedule();
  }

  /** A change another process published: for this process's dashboards only (never relayed back). */
  receive(topics: readonly LiveTopic[], deviceIds: readonly string[] = []): void {
    if (this.listeners.size === 0) return;
    this.local.add(topics, deviceIds);
    this.schedule();
  }

  private schedule(): void {
    if (this.windowMs <= 0) return this.flush();
    this.timer ??= setTimeout(() => this.flush(), this.windowMs);
  }

  /** Stops a pending flush (server shutdown). */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.listeners.clear();
  }

  /** Sends what was collected now instead of at the end of the window (shutdown, benchmarks). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.relay && this.outbound.topics.size > 0) this.relay(...this.outbound.take());
    if (this.local.topics.size === 0) return;
    const [topics, deviceIds] = this.local.take();
    const event: LiveEvent = { schemaVersion: 1, seq: ++this.seq, at: this.now().toISOString(), topics, deviceIds };
    for (const l of this.listeners) l(event);
  }
}

const hubs = new WeakMap<object, LiveHub>();

/**
 * The hub of one server (keyed by its context), made on first use.
 * @example
 * liveHub(ctx).publish(['models']);
 */
export function liveHub(ctx: { now: () => Date }, windowMs = 1000): LiveHub {
  let hub = hubs.get(ctx);
  if (!hub) hubs.set(ctx, (hub = new LiveHub(windowMs, ctx.now)));
  return hub;
}

/**
 * Wraps the ingest handler so each ingested batch tells open dashboards which devices sent data.
 * @example
 * const ingest = publishingIngest(createIngestHandler(ctx), liveHub(ctx));
 */
export function publishingIngest(handler: BatchJobHandler, hub: LiveHub): BatchJobHandler {
  return {
    maxBatch: handler.maxBatch,
    batch: async (jobs) => {
      const failed = await handler.batch(jobs);
      const devices = jobs.filter((j) => !failed.has(j.id)).map((j) => String(j.payload['deviceId'] ?? ''));
      if (devices.length > 0) hub.publish(['drift', 'devices', 'adaptations', 'feedback'], devices.filter(Boolean));
      return failed;
    },
  };
}
