import { LiveEvent } from '@tinymlops/contracts';

/** An open `GET /api/v1/live` stream whose events are collected as they arrive. */
export interface LiveStream {
  /** Every event so far, parsed with the contracts schema. */
  readonly events: LiveEvent[];
  close(): Promise<void>;
}

/**
 * Opens the server-sent event stream of the server at `url` with an API token and keeps reading
 * it in the background, so a test can wait for the event it expects.
 * @example
 * const live = await openLiveStream(api, token); await waitUntil(async () => live.events, (e) => e.length > 0);
 */
export async function openLiveStream(url: string, token: string): Promise<LiveStream> {
  const abort = new AbortController();
  const r = await fetch(`${url}/api/v1/live`, { headers: { authorization: `Bearer ${token}` }, signal: abort.signal });
  if (!r.ok || !r.body) throw new Error(`GET /api/v1/live: ${r.status}`);
  const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
  const events: LiveEvent[] = [];
  const reading = (async () => {
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
        const data = /^data: (.*)$/m.exec(buffer.slice(0, cut))?.[1];
        buffer = buffer.slice(cut + 2);
        if (data) events.push(LiveEvent.parse(JSON.parse(data)));
      }
    }
  })().catch(() => {}); // ends with the abort below
  return { events, close: async () => (abort.abort(), await reading) };
}
