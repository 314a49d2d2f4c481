import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.js';

interface Item {
  key: string;
  n: number;
}

/** A GroupCommit over a fake writer that records every batch it was given. */
function recorder(
  opts: { maxBatch?: number; maxInFlight?: number; maxWeight?: number; fail?: (items: Item[]) => boolean } = {},
) {
  const batches: number[][] = [];
  let running = 0;
  let maxRunning = 0;
  const gc = new GroupCommit<Item, number>(
    async (items) => {
      batches.push(items.map((i) => i.n));
      maxRunning = Math.max(maxRunning, ++running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      if (opts.fail?.(items)) throw new Error('batch failed');
      return items.map((i) => i.n * 10);
    },
    {
      maxBatch: opts.maxBatch ?? 100,
      maxInFlight: opts.maxInFlight ?? 1,
      keyOf: (i) => i.key,
      ...(opts.maxWeight === undefined ? {} : { weight: { of: (i: Item) => i.n, max: opts.maxWeight } }),
    },
  );
  return { gc, batches, maxRunning: () => maxRunning };
}

describe('GroupCommit', () => {
  it('writes items submitted together in one batch and answers each with its own result', async () => {
    const { gc, batches } = recorder();
    const results = await Promise.all([1, 2, 3, 4].map((n) => gc.submit({ key: `k${n}`, n })));
    expect(results).toEqual([10, 20, 30, 40]);
    expect(batches).toEqual([[1, 2, 3, 4]]);
  });

  it('collects items arriving while a batch runs into the next one', async () => {
    const { gc, batches } = recorder();
    const first = gc.submit({ key: 'a', n: 1 });
    await new Promise((r) => setTimeout(r, 1)); // the first batch is running now
    const later = [2, 3, 4].map((n) => gc.submit({ key: `k${n}`, n }));
    await Promise.all([first, ...later]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('keeps batches within maxBatch and running batches within maxInFlight', async () => {
    const { gc, batches, maxRunning } = recorder({ maxBatch: 3, maxInFlight: 2 });
    await Promise.all(Array.from({ length: 10 }, (_, n) => gc.submit({ key: `k${n}`, n })));
    expect(batches.flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Math.max(...batches.map((b) => b.length))).toBe(3);
    expect(maxRunning()).toBe(2);
  });

  it('keeps a batch within maxWeight, but never leaves an item heavier than it behind', async () => {
    const { gc, batches } = recorder({ maxWeight: 10 });
    await Promise.all([4, 5, 3, 12, 1].map((n) => gc.submit({ key: `k${n}`, n })));
    expect(batches).toEqual([[4, 5, 1], [3], [12]]);
  });

  it('applies items with the same key one after the other, in arrival order', async () => {
    const { gc, batches } = recorder({ maxInFlight: 4 });
    await Promise.all([
      gc.submit({ key: 'a', n: 1 }),
      gc.submit({ key: 'b', n: 2 }),
      gc.submit({ key: 'a', n: 3 }),
      gc.submit({ key: 'a', n: 4 }),
    ]);
    expect(batches).toEqual([[1, 2], [3], [4]]);
  });

  it('when a batch fails, retries its items one by one so only the bad one fails', async () => {
    const { gc } = recorder({ fail: (items) => items.some((i) => i.n === 2) });
    const results = await Promise.allSettled([1, 2, 3].map((n) => gc.submit({ key: `k${n}`, n })));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(results[0]).toMatchObject({ value: 10 });
  });

  it('without keyOf, equal items are independent and share a batch', async () => {
    const batches: string[][] = [];
    const gc = new GroupCommit<string, string>(
      async (items) => {
        batches.push(items);
        return items.map((i) => i.toUpperCase());
      },
      { maxBatch: 10, maxInFlight: 1 },
    );
    expect(await Promise.all(['a', 'a', 'b'].map((i) => gc.submit(i)))).toEqual(['A', 'A', 'B']);
    expect(batches).toEqual([['a', 'a', 'b']]);
  });
});
