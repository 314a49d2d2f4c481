/**
 * The server side of `bench/offline-eval.ts`, in its own process so its CPU time never counts as
 * the device's: the device-protocol loopback fixture of TinyLCM's sync tests. Sends `{ url }` once
 * listening; answers a `stats` message with what it received.
 */
import { LoopbackDeviceServer } from '../packages/tinylcm/src/sync/loopback-device-server.fixture.js';

const server = await new LoopbackDeviceServer().start();
process.send?.({ url: server.url });
process.on('message', (m: unknown) => {
  if (m !== 'stats') return;
  process.send?.({ puts: server.puts, stored: [...server.stored.keys()] });
});
process.on('disconnect', () => void server.close().then(() => process.exit(0)));
