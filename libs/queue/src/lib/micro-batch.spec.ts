import { currentRequestId, withLogContext } from '@mms/config';
import { MicroBatcher } from './micro-batch';

const tick = () => new Promise((resolve) => setImmediate(resolve));

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('MicroBatcher', () => {
  it('runs the calls of one turn of the event loop as one batch, each caller getting its own result', async () => {
    const batches: number[][] = [];
    const batcher = new MicroBatcher<number, string>(async (items) => {
      batches.push([...items]);
      return items.map((n) => `#${n}`);
    });
    const results = await Promise.all([1, 2, 3].map((n) => batcher.call(n)));
    expect(results).toEqual(['#1', '#2', '#3']);
    expect(batches).toEqual([[1, 2, 3]]);
    await expect(batcher.call(4)).resolves.toBe('#4');
    expect(batches).toEqual([[1, 2, 3], [4]]);
  });

  it('runs a batch at once when maxBatch calls wait, and the rest in the next one', async () => {
    const batches: number[][] = [];
    const batcher = new MicroBatcher<number, number>(
      async (items) => {
        batches.push([...items]);
        return items;
      },
      { maxBatch: 2, maxInFlight: 4 },
    );
    const calls = [1, 2, 3, 4, 5].map((n) => batcher.call(n));
    // The two full batches started synchronously, before the turn ended.
    expect(batches).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(await Promise.all(calls)).toEqual([1, 2, 3, 4, 5]);
    expect(batches).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('gathers the calls that come while a batch runs into the next batch (one in flight)', async () => {
    const gates = [deferred<void>(), deferred<void>()];
    const batches: number[][] = [];
    const batcher = new MicroBatcher<number, number>(async (items) => {
      const gate = gates[batches.length];
      batches.push([...items]);
      await gate?.promise;
      return items.map((n) => n * 10);
    });
    const first = batcher.call(1);
    await tick();
    expect(batches).toEqual([[1]]);
    const later = [2, 3, 4].map((n) => batcher.call(n));
    await tick();
    await tick();
    expect(batches).toEqual([[1]]); // still one in flight
    expect(batcher.waiting).toBe(3);
    gates[0]?.resolve();
    expect(await first).toBe(10);
    await tick();
    expect(batches).toEqual([[1], [2, 3, 4]]);
    gates[1]?.resolve();
    expect(await Promise.all(later)).toEqual([20, 30, 40]);
  });

  it('rejects every caller of a batch whose function throws, and keeps working for the next batch', async () => {
    let fail = true;
    const batcher = new MicroBatcher<number, number>(async (items) => {
      if (fail) throw new Error('database went away');
      return items;
    });
    const failed = await Promise.allSettled([batcher.call(1), batcher.call(2)]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((failed[0] as PromiseRejectedResult).reason).toEqual(new Error('database went away'));
    fail = false;
    await expect(batcher.call(3)).resolves.toBe(3);
  });

  it('rejects the callers when the function returns a result count that does not match', async () => {
    const batcher = new MicroBatcher<number, number>(async (items) => items.slice(1));
    await expect(Promise.all([batcher.call(1), batcher.call(2)])).rejects.toThrow('1 results for 2 calls');
  });

  it('waits up to maxWaitMs for more calls to join', async () => {
    jest.useFakeTimers();
    try {
      const batches: number[][] = [];
      const batcher = new MicroBatcher<number, number>(
        async (items) => {
          batches.push([...items]);
          return items;
        },
        { maxWaitMs: 5 },
      );
      const a = batcher.call(1);
      jest.advanceTimersByTime(3);
      const b = batcher.call(2);
      expect(batches).toEqual([]);
      jest.advanceTimersByTime(2);
      expect(batches).toEqual([[1, 2]]);
      await expect(Promise.all([a, b])).resolves.toEqual([1, 2]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('refuses options that would never run a batch', () => {
    expect(() => new MicroBatcher(async (items) => items, { maxBatch: 0 })).toThrow('bad options');
    expect(() => new MicroBatcher(async (items) => items, { maxInFlight: 0 })).toThrow('bad options');
  });

  it('runs a batch outside its callers\' log contexts and gives each caller back its own', async () => {
    const seenByBatch: Array<string | undefined> = [];
    const batcher = new MicroBatcher<number, number>(async (items) => {
      seenByBatch.push(currentRequestId());
      await tick();
      return items;
    });
    const call = (requestId: string, item: number) =>
      withLogContext({ requestId }, async () => {
        await batcher.call(item);
        return currentRequestId();
      });
    await expect(Promise.all([call('first', 1), call('second', 2)])).resolves.toEqual(['first', 'second']);
    // One batch for both: it is neither caller's work.
    expect(seenByBatch).toEqual([undefined]);
  });
});
