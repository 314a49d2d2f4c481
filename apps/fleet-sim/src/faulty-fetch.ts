import { mulberry32 } from '@tinymlops/tinylcm';
import type { FaultProfile } from './fleet-choices.js';

/** Network faults of one simulated device. Times are ms since the fleet started. */
export interface FaultPlan {
  /** Windows `[from, to)` in which every request fails like a dead link (no answer at all). */
  offline?: { fromMs: number; toMs: number }[];
  /** Share of requests answered `503 UNAVAILABLE` without reaching the server, in [0, 1]. */
  errorRate?: number;
  /** Extra latency before each request (a slow or congested link). */
  latencyMs?: number;
}

export { FAULT_PROFILES, type FaultProfile } from './fleet-choices.js';

/** What the wrapper saw, for the fleet summary. */
export interface FetchCounters {
  requests: number;
  networkFailures: number;
  injected5xx: number;
  /** Package ids the device tried to upload at least once. */
  packagesSent: Set<string>;
}

/**
 * A `fetch` for one device that injects the faults of a plan (and a manual switch, for tests and
 * the demo) in front of the real one. Seeded, so a run with the same seed fails the same requests.
 * @example
 * const net = new FaultyFetch({ errorRate: 0.1, offline: [{ fromMs: 60_000, toMs: 90_000 }] }, 7);
 * await EdgeDevice.open({ config, baseDir, fetch: net.fetch });
 * net.offline = true; // cut the link until set back
 */
export class FaultyFetch {
  /** Set to cut the link by hand, regardless of the plan. */
  offline = false;
  /** Called once a request is on its way to the server (tests use it to crash the server mid-upload). */
  onSent: ((request: { method: string; url: URL }) => void) | undefined;
  readonly counters: FetchCounters = { requests: 0, networkFailures: 0, injected5xx: 0, packagesSent: new Set() };
  readonly #rand: () => number;
  readonly #started: number;

  constructor(
    readonly plan: FaultPlan = {},
    seed = 1,
    private readonly now: () => number = Date.now,
    private readonly inner: typeof fetch = globalThis.fetch,
  ) {
    this.#rand = mulberry32(seed);
    this.#started = now();
  }

  /** True while the link is down (by hand or by the plan's offline windows). */
  get linkDown(): boolean {
    const t = this.now() - this.#started;
    return this.offline || (this.plan.offline ?? []).some((w) => t >= w.fromMs && t < w.toMs);
  }

  /** The wrapped fetch (bound, so it can be handed around). */
  readonly fetch: typeof fetch = async (input, init) => {
    this.counters.requests++;
    const url = new URL(input instanceof Request ? input.url : String(input));
    const pkg = /\/device\/v1\/packages\/([^/]+)$/.exec(url.pathname);
    if (pkg?.[1] && (init?.method ?? 'GET') === 'PUT') this.counters.packagesSent.add(pkg[1]);
    if (this.plan.latencyMs) await delay(this.plan.latencyMs, init?.signal ?? undefined);
    if (this.linkDown) {
      this.counters.networkFailures++;
      throw new TypeError('fetch failed (simulated: link down)');
    }
    if (this.plan.errorRate && this.#rand() < this.plan.errorRate) {
      this.counters.injected5xx++;
      const body = { error: { code: 'UNAVAILABLE', message: 'simulated 503 from a faulty link' } };
      return new Response(JSON.stringify(body), { status: 503, headers: { 'content-type': 'application/json' } });
    }
    const answer = this.inner(input, init);
    this.onSent?.({ method: init?.method ?? 'GET', url });
    return answer;
  };
}

/**
 * The plan of device `index` under a profile. `mixed` gives devices different faults in turn
 * (clean, offline windows, 5xx, slow), so one run shows every kind.
 * @example
 * faultPlan('mixed', 1); // { offline: [{ fromMs: 20_000, toMs: 50_000 }, …] }
 */
export function faultPlan(profile: FaultProfile, index: number): FaultPlan {
  const kinds: FaultProfile[] = ['none', 'offline', 'errors', 'slow'];
  const kind = profile === 'mixed' ? (kinds[index % kinds.length] ?? 'none') : profile;
  switch (kind) {
    case 'offline':
      // 30 s down every 2 min, starting 20 s in: long enough for several missed rounds.
      return {
        offline: Array.from({ length: 60 }, (_, i) => ({ fromMs: 20_000 + i * 120_000, toMs: 50_000 + i * 120_000 })),
      };
    case 'errors':
      return { errorRate: 0.2 };
    case 'slow':
      return { latencyMs: 400 };
    default:
      return {};
  }
}

function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), reject(signal.reason as Error)), { once: true });
  });
}
