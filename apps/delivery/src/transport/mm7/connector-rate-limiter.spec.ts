import { spreadWaits } from './connector-rate-limiter';

describe('spreadWaits: when submits held back by the carrier rate wake', () => {
  const noJitter = () => 0;

  it('gives the granted callers no wait and spreads the others one rate interval apart', () => {
    expect(spreadWaits(6, 2, 300, 10, noJitter)).toEqual([0, 0, 300, 400, 500, 600]);
  });

  it('spreads a long line over the seconds the rate needs, not all at the moment the window frees', () => {
    const waits = spreadWaits(250, 50, 700, 50, noJitter);
    const refused = waits.slice(50);
    expect(new Set(refused).size).toBe(200);
    expect(Math.min(...refused)).toBe(700);
    // 200 waiting at 50 per second: the last wakes about four seconds after the window frees.
    expect(Math.max(...refused)).toBe(700 + 199 * 20);
    const perSecond = new Map<number, number>();
    for (const wait of refused) perSecond.set(Math.floor((wait - 700) / 1000), (perSecond.get(Math.floor((wait - 700) / 1000)) ?? 0) + 1);
    expect([...perSecond.values()]).toEqual([50, 50, 50, 50]);
  });

  it('adds a jitter below one interval, and never a wait below 1 ms', () => {
    const waits = spreadWaits(3, 1, 0, 100, () => 0.999);
    expect(waits[0]).toBe(0);
    expect(waits[1]).toBeGreaterThanOrEqual(1);
    expect(waits[1]).toBeLessThan(10);
    expect(waits[2]).toBeGreaterThanOrEqual(10);
    expect(waits[2]).toBeLessThan(20);
  });
});
