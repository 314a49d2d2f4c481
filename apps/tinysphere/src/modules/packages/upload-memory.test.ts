import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseEngines } from '../../testing/database-engines.js';
import { expectError } from '../../testing/expect-error.js';
import { partialUpload } from '../../testing/partial-upload.js';
import { startTestServer, waitUntil, type TestServer } from '../../testing/test-server.js';
import { UploadMemoryBudget } from './upload-memory-budget.js';

const metric = async (s: TestServer, name: string) =>
  Number(new RegExp(`^${name} (\\S+)`, 'm').exec(await (await s.call('GET', '/metrics')).text())?.[1]);

/**
 * Bounded upload memory: uploads read into memory (and waiting there to be made durable) pile up
 * when storage is slow, after a restart or under many cut-off uploads, and the process keeps the
 * heap and malloc pages it grew. A byte budget answers the excess 503 with Retry-After instead.
 */
describe.each(databaseEngines())('upload memory budget on $name', (engine) => {
  let s: TestServer;
  let hog: { deviceId: string; deviceToken: string };
  let other: { deviceId: string; deviceToken: string };
  beforeAll(async () => {
    s = await startTestServer(engine, {
      workers: 0,
      config: { uploadMemoryBytes: 1_000_000, connectionIdleTimeoutMs: 1000 },
    });
    hog = await s.enrol('hw-stalling');
    other = await s.enrol('hw-patient');
  });
  afterAll(() => s.stop());

  it('answers 503 with Retry-After while a stalled upload holds the budget, and 202 once it is cut off', async () => {
    // 900 kB declared, 1 kB sent, then silence: the server holds its 900 kB until the idle timeout.
    const stalled = partialUpload(s, hog.deviceToken, 'pkg_stall', { total: 900_000, sent: 1000, stall: true });
    await waitUntil(
      () => metric(s, 'tinysphere_upload_memory_bytes'),
      (held) => held === 900_000,
      30_000,
    );
    const busy = await s.upload(other.deviceToken, 'pkg_waits', randomBytes(200_000));
    await expectError(busy, 503, 'UNAVAILABLE');
    expect(busy.headers.get('retry-after')).toBe('5');
    expect(await metric(s, 'tinysphere_uploads_refused_memory_total')).toBe(1);
    await stalled;
    await waitUntil(
      () => metric(s, 'tinysphere_upload_memory_bytes'),
      (held) => held === 0,
      30_000,
    );
    expect((await s.upload(other.deviceToken, 'pkg_waits', randomBytes(200_000))).status).toBe(202);
  });
});

describe('UploadMemoryBudget', () => {
  it('admits up to its capacity, one device up to a quarter, and always one upload alone', () => {
    const budget = new UploadMemoryBudget(1000);
    const a = budget.hold('dev_a', 200);
    expect(() => budget.hold('dev_a', 100)).toThrow(/this device holds/); // 300 > 250
    const b = budget.hold('dev_b', 250);
    const c = budget.hold('dev_c', 250);
    const d = budget.hold('dev_d', 250);
    expect(budget.inUse).toBe(950);
    expect(() => budget.hold('dev_e', 100)).toThrow(/the server holds/);
    expect(budget.hold('dev_e', 0)).toBeTypeOf('function'); // a streamed upload into files holds nothing
    for (const release of [a, b, c, d]) release();
    a(); // a second release gives nothing back twice
    expect(budget.inUse).toBe(0);
    const huge = budget.hold('dev_e', 5000); // over the whole budget, but alone
    expect(budget.inUse).toBe(5000);
    huge();
    expect(new UploadMemoryBudget(0).hold('dev_a', 10 ** 9)).toBeTypeOf('function'); // 0: no limit
  });
});
