import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { LiveEvent, type LiveTopic } from '@tinymlops/contracts';
import { useEffect, useState } from 'react';
import { LIVE_INTERVAL_MS } from './query-client';
import { readToken } from './session-token';

/** While events stream, polling only backs them up (a change published by another process). */
export const BACKUP_INTERVAL_MS = 60_000;

/** The views (query keys) each topic of a live event concerns. */
const VIEWS: Record<LiveTopic, string[]> = {
  devices: ['device-table', 'device', 'device-timeline', 'overview', 'deployments', 'device-settings'],
  drift: [
    'drift-episodes',
    'drift-samples',
    'drift-sample',
    'review-queue',
    'review-classes',
    'overview',
    'drift-rates',
  ],
  models: ['models', 'model-versions', 'deployments', 'deployment-rules', 'mlflow-imports'],
  adaptations: ['adaptations', 'overview'],
  feedback: ['feedback-status', 'feedback-deliveries', 'drift-samples', 'adaptations', 'device-settings'],
  rollouts: ['rollouts', 'rollout', 'rollout-audit', 'config-versions'],
};

/** The state of the live connection, for the sidebar. */
export interface LiveState {
  connected: boolean;
  events: number;
}

function refresh(qc: QueryClient, e: LiveEvent): void {
  const keys = new Set(e.topics.flatMap((t) => VIEWS[t]));
  for (const k of keys) void qc.invalidateQueries({ queryKey: [k] });
}

/** Splits an SSE text stream into `data:` payloads of complete events. */
function* dataOf(buffer: { text: string }): Generator<string> {
  for (let cut = buffer.text.indexOf('\n\n'); cut >= 0; cut = buffer.text.indexOf('\n\n')) {
    const data = /^data: (.*)$/m.exec(buffer.text.slice(0, cut))?.[1];
    buffer.text = buffer.text.slice(cut + 2);
    if (data) yield data;
  }
}

async function stream(signal: AbortSignal, onOpen: () => void, onEvent: (e: LiveEvent) => void): Promise<void> {
  // EventSource cannot send the bearer token, so the stream is read with fetch.
  const res = await fetch('/api/v1/live', {
    headers: { authorization: `Bearer ${readToken() ?? ''}`, accept: 'text/event-stream' },
    signal,
  });
  if (!res.ok || !res.body) throw new Error(`live ${res.status}`);
  onOpen();
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  const buffer = { text: '' };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer.text += value;
    for (const data of dataOf(buffer)) {
      const parsed = LiveEvent.safeParse(JSON.parse(data));
      if (parsed.success) onEvent(parsed.data);
    }
  }
}

/**
 * Keeps the dashboard live by server-sent events (`GET /api/v1/live`): each event refreshes the
 * views it concerns, and polling slows to a backup. When the stream fails, polling goes back to
 * every 5 s and the stream is retried with backoff (5 s doubling to a minute).
 * @example
 * const live = useLiveUpdates(); // live.connected, live.events
 */
export function useLiveUpdates(): LiveState {
  const qc = useQueryClient();
  const [state, setState] = useState<LiveState>({ connected: false, events: 0 });
  useEffect(() => {
    const abort = new AbortController();
    const poll = (ms: number) =>
      qc.setDefaultOptions({
        ...qc.getDefaultOptions(),
        queries: { ...qc.getDefaultOptions().queries, refetchInterval: ms },
      });
    let delay = 5_000;
    const run = async () => {
      while (!abort.signal.aborted) {
        try {
          await stream(
            abort.signal,
            () => {
              delay = 5_000;
              poll(BACKUP_INTERVAL_MS);
              setState((s) => ({ ...s, connected: true }));
            },
            (e) => {
              refresh(qc, e);
              setState((s) => ({ connected: true, events: s.events + 1 }));
            },
          );
        } catch {
          // Falls through to polling and a retry below.
        }
        if (abort.signal.aborted) return;
        poll(LIVE_INTERVAL_MS);
        setState((s) => ({ ...s, connected: false }));
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(60_000, delay * 2);
      }
    };
    void run();
    return () => {
      abort.abort();
      poll(LIVE_INTERVAL_MS);
    };
  }, [qc]);
  return state;
}
