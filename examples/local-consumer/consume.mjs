#!/usr/bin/env node
// A small application on the device that reads tinylcm-device's predictions (see README.md).
// Node >= 20, no dependencies. Two ways in:
//   node consume.mjs [http://127.0.0.1:8765/predictions] [--count N]   the loopback event stream
//   tinylcm-device run -c device.json | node consume.mjs --stdin        JSON lines on a pipe
import { createInterface } from 'node:readline';

const args = process.argv.slice(2);
const countAt = args.indexOf('--count');
const limit = countAt >= 0 ? Number(args[countAt + 1]) : Infinity;
const url = args.find((a) => a.startsWith('http')) ?? 'http://127.0.0.1:8765/predictions';
let seen = 0;

/** What the application does with a prediction: here, one line per frame. */
function show(p) {
  const drift = p.drift.active ? `DRIFT ${p.drift.episodeId}${p.drift.phase ? ` (${p.drift.phase})` : ''}` : '-';
  console.log(`frame ${p.frameIndex}  ${p.label ?? '?'}  ${p.confidence.toFixed(2)}  drift: ${drift}`);
  if (++seen >= limit) process.exit(0);
}

/** Reads the server-sent events of `url`; reconnects after 2 s when the device restarts. */
async function stream() {
  for (;;) {
    try {
      const res = await fetch(url, { headers: { accept: 'text/event-stream' } });
      if (!res.ok || !res.body) throw new Error(`${url} answered ${res.status}`);
      console.error(`connected to ${url}`);
      const decoder = new TextDecoder();
      let buffer = '';
      for await (const chunk of res.body) {
        buffer += decoder.decode(chunk, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = event.split('\n').find((l) => l.startsWith('data: '));
          if (event.includes('event: prediction') && data) show(JSON.parse(data.slice(6)));
        }
      }
      console.error('the device closed the stream');
    } catch (err) {
      console.error(`not connected: ${err.message}`);
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
}

async function lines() {
  for await (const line of createInterface({ input: process.stdin })) {
    if (line.startsWith('{')) show(JSON.parse(line));
  }
}

await (args.includes('--stdin') ? lines() : stream());
