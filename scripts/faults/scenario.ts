import { setTimeout as sleep } from 'node:timers/promises';
import type { FaultFleet } from './fault-fleet';
import type { FaultWorld } from './fault-world';
import type { LoadPlan, PartnerLoad } from './partner-load';
import type { PostbackReceiver } from './postback-receiver';
import type { Reconciliation } from './ledger';

/** What a scenario's fault has to hand while it runs. */
export interface ScenarioContext {
  readonly fleet: FaultFleet;
  readonly world: FaultWorld;
  readonly receiver: PostbackReceiver;
  readonly load: PartnerLoad;
  /** A line of the scenario's narrative (printed with its time into the load). */
  note(line: string): void;
  /** Resolves once the load has run this long. */
  at(ms: number): Promise<void>;
  /** A scenario may start its own parts (a Redis, a proxy) and hand them to its checks. */
  readonly parts: Map<string, unknown>;
}

export interface Scenario {
  readonly name: string;
  /** What the scenario does, one line (printed before it runs). */
  readonly summary: string;
  readonly load: LoadPlan;
  /** Settings of this scenario's fleet. */
  readonly env?: Readonly<Record<string, string>>;
  /** Parts the fleet must connect through (its own Redis, a proxy in front of PostgreSQL). */
  prepare?(ctx: Pick<ScenarioContext, 'parts' | 'note'>, urls: { databaseUrl: string; redisUrl: string }): Promise<{ databaseUrl: string; redisUrl: string }>;
  /** The fault, injected while the load runs; returns once the fleet is whole again. */
  inject(ctx: ScenarioContext): Promise<void>;
  /** How many SubmitReq repeats the documented windows allow for this fault. */
  allowedDuplicates(ctx: ScenarioContext): Promise<number> | number;
  /** Accepted messages that may end FAILED (their E101 received); 0 unless the scenario injects permanent refusals. */
  expectedFailed?(ctx: ScenarioContext): Promise<number> | number;
  /** Further checks; each returned string is a failure. */
  check?(ctx: ScenarioContext, result: Reconciliation): Promise<string[]> | string[];
  /** Releases the scenario's own parts. */
  cleanUp?(ctx: Pick<ScenarioContext, 'parts'>): Promise<void>;
}

export function waitUntilLoadAt(load: PartnerLoad, ms: number): Promise<void> {
  const wait = ms - load.elapsed();
  return wait > 0 ? sleep(wait).then(() => undefined) : Promise.resolve();
}
