import { PRODUCER_COMMAND_TIMEOUT_MS, redisOptionsFrom } from './connection';

describe('Redis connection options', () => {
  it('give producers a bounded connect and a bounded wait for every command, and no offline queue', () => {
    expect(redisOptionsFrom('redis://127.0.0.1:6379', 'producer')).toMatchObject({
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      commandTimeout: PRODUCER_COMMAND_TIMEOUT_MS,
    });
    expect(PRODUCER_COMMAND_TIMEOUT_MS).toBe(5000);
  });

  it('let workers block on Redis as long as BullMQ needs (no command timeout)', () => {
    const worker = redisOptionsFrom('redis://127.0.0.1:6379', 'worker');
    expect(worker).toMatchObject({ maxRetriesPerRequest: null });
    expect(worker.commandTimeout).toBeUndefined();
  });
});
