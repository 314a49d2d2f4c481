import { liveHub } from '../apps/tinysphere/src/modules/dashboard/live-hub.js';
import type { TestServer } from '../apps/tinysphere/src/testing/test-server.js';

/** One open dashboard: counts the `event: change` messages its stream delivers. */
async function openDashboard(s: TestServer, signal: AbortSignal) {
  const res = await fetch(`${s.url}/api/v1/live`, {
    headers: { authorization: `Bearer ${s.viewerToken}` },
    signal,
  });
  if (!res.ok || !res.body) throw new Error(`live stream: ${res.status}`);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  const client = { received: 0, done: Promise.resolve() };
  client.done = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        client.received += value.split('event: change\n').length - 1;
      }
    } catch {
      // aborted at the end of the run
    }
  })();
  return client;
}

/**
 * Server-sent-event fan-out: `dashboards` streams open on `GET /api/v1/live`, `events` changes
 * published back to back (each flushed at once, no coalescing), timed until every stream has all
 * of them. Returns deliveries per second across all dashboards (events × dashboards / seconds).
 * @example
 * const perSec = await sseFanOut(server, 50, 2000);
 */
export async function sseFanOut(s: TestServer, dashboards: number, events: number): Promise<number> {
  const abort = new AbortController();
  const clients = await Promise.all(Array.from({ length: dashboards }, () => openDashboard(s, abort.signal)));
  const hub = liveHub(s.app.ctx);
  if (hub.subscribers < dashboards) throw new Error(`only ${hub.subscribers} of ${dashboards} streams subscribed`);
  const t0 = performance.now();
  for (let i = 0; i < events; i++) {
    hub.publish(['drift'], [`dev_bench${String(i % 1000).padStart(4, '0')}`]);
    hub.flush();
    // Let the sockets drain now and then, as a server under real traffic would.
    if (i % 100 === 99) await new Promise((r) => setImmediate(r));
  }
  while (clients.some((c) => c.received < events)) await new Promise((r) => setTimeout(r, 5));
  const seconds = (performance.now() - t0) / 1000;
  abort.abort();
  await Promise.all(clients.map((c) => c.done));
  return (events * dashboards) / seconds;
}
