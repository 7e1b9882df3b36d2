import { LruCache } from './lru-cache';

describe('LruCache', () => {
  it('drops the least recently used entry past its entry count', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1); // a is now the most recent
    cache.set('c', 3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
    expect(cache.size).toBe(2);
  });

  it('drops the oldest entries past its size budget, and never keeps a value larger than the budget', () => {
    const cache = new LruCache<string, Buffer>(100, 10, (b) => b.length);
    cache.set('a', Buffer.alloc(4));
    cache.set('b', Buffer.alloc(4));
    cache.set('c', Buffer.alloc(4));
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')?.length).toBe(4);
    cache.set('huge', Buffer.alloc(11));
    expect(cache.get('huge')).toBeUndefined();
    expect(cache.size).toBe(2);
  });

  it('replaces the value of a key it holds, counting its size once', () => {
    const cache = new LruCache<string, Buffer>(100, 10, (b) => b.length);
    cache.set('a', Buffer.alloc(6));
    cache.set('a', Buffer.alloc(6));
    expect(cache.get('a')?.length).toBe(6);
    cache.set('b', Buffer.alloc(4));
    expect(cache.size).toBe(2);
  });
});
