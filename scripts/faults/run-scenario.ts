import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../../test/free-port';
import { FaultFleet } from './fault-fleet';
import { FaultWorld } from './fault-world';
import { Reconciliation, reconcile, settled, summaryLine } from './ledger';
import { PartnerLoad } from './partner-load';
import { PostbackReceiver } from './postback-receiver';
import { Scenario, ScenarioContext, waitUntilLoadAt } from './scenario';

/**
 * How long the ledgers must stay unchanged before they are read: longer than the simulator's
 * delivery reports take to arrive after their SubmitRsp, retries included (1 s, then 1 s and 2 s).
 */
const QUIET_MS = 5000;

export interface SuiteSettings {
  readonly runId: string;
  readonly postgresUrl: string;
  readonly redisUrl: string;
  /** How long the fleet gets after the load to settle everything it owes. */
  readonly settleWithinMs: number;
  readonly keepWorlds: boolean;
}

export interface ScenarioResult {
  readonly name: string;
  readonly line: string;
  readonly problems: readonly string[];
  readonly result: Reconciliation | undefined;
  readonly seconds: number;
}

/**
 * One scenario, whole: its world, its fleet as separate processes, the partner's load with the
 * fault injected, the wait for the fleet to settle, then the ledgers reconciled. The verdict is a
 * list of problems: lost messages, repeats beyond the fault's documented window, a service that
 * died on its own, postbacks missing or out of order, and the scenario's own checks.
 */
export async function runScenario(scenario: Scenario, settings: SuiteSettings, print: (line: string) => void): Promise<ScenarioResult> {
  const started = Date.now();
  const parts = new Map<string, unknown>();
  const note = (line: string) => print(`  [${scenario.name} ${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`);
  print(`${scenario.name}: ${scenario.summary}`);
  const receiver = await PostbackReceiver.open(await freePort());
  const world = await FaultWorld.create(settings.postgresUrl, settings.runId, scenario.name, receiver.url);
  let fleet: FaultFleet | undefined;
  const problems: string[] = [];
  let result: Reconciliation | undefined;
  let redisUrls = [settings.redisUrl];
  try {
    const urls = (await scenario.prepare?.({ parts, note }, { databaseUrl: world.databaseUrl, redisUrl: settings.redisUrl })) ?? {
      databaseUrl: world.databaseUrl,
      redisUrl: settings.redisUrl,
    };
    redisUrls = [urls.redisUrl];
    fleet = await FaultFleet.create({ name: `${settings.runId}-${scenario.name}`, ...urls, queuePrefix: world.queuePrefix, env: scenario.env });
    fleet.start('mmsc-simulator', 'gateway', 'barcode', 'delivery');
    await fleet.waitReady(120_000, 'mmsc-simulator', 'gateway', 'barcode', 'delivery');
    note(`fleet ready (logs in ${fleet.logDir})`);

    const load = new PartnerLoad(fleet.gatewayOrigin, `${settings.runId}_${scenario.name}`).start(scenario.load);
    const ctx: ScenarioContext = { fleet, world, receiver, load, note, parts, at: (ms) => waitUntilLoadAt(load, ms) };
    await Promise.all([load.finished(), scenario.inject(ctx)]);
    const answers = countAnswers(load);
    note(`load done: ${answers}`);

    const deadline = Date.now() + settings.settleWithinMs;
    let state = await settled(world, fleet.simulatorOrigin);
    let unchangedSince = Date.now();
    while (!(state.done && Date.now() - unchangedSince >= QUIET_MS) && Date.now() < deadline) {
      await sleep(1000);
      const next = await settled(world, fleet.simulatorOrigin);
      if (next.fingerprint !== state.fingerprint || !next.done) unchangedSince = Date.now();
      state = next;
    }
    note(state.done ? 'settled' : `not settled after ${settings.settleWithinMs / 1000} s: ${state.waiting}`);

    result = await reconcile(world, fleet.simulatorOrigin, receiver, load.successes());
    const allowed = await scenario.allowedDuplicates(ctx);
    const expectedFailed = (await scenario.expectedFailed?.(ctx)) ?? 0;
    if (result.lost > 0) problems.push(`${result.lost} accepted message(s) lost, e.g. ${result.examples.join(', ')}`);
    if (result.duplicates > allowed) problems.push(`${result.duplicates} repeated SubmitReq(s), the documented window allows ${allowed}`);
    if (result.failed > expectedFailed) problems.push(`${result.failed} message(s) FAILED, ${expectedFailed} expected`);
    if (result.unsettled > 0) problems.push(`${result.unsettled} stored message(s) never answered Success and never settled`);
    if (result.postbacksMissing > 0) problems.push(`${result.postbacksMissing} of ${result.postbacksExpected} recorded postback(s) never reached the receiver`);
    if (result.postbacksOutOfOrder > 0) problems.push(`${result.postbacksOutOfOrder} message(s) got their postbacks out of order`);
    if (result.accepted === 0) problems.push('no request was accepted: the scenario proved nothing');
    problems.push(...((await scenario.check?.(ctx, result)) ?? []));
    problems.push(...fleet.unexpectedExits);
  } catch (error) {
    problems.push(`the scenario could not run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  } finally {
    await fleet?.stop().catch((error: unknown) => problems.push(`stopping the fleet: ${String(error)}`));
    await receiver.down();
    // The world first: its keys may live in a Redis the scenario's clean-up stops.
    if (!settings.keepWorlds) await world.remove(redisUrls);
    await scenario.cleanUp?.({ parts }).catch(() => undefined);
  }
  const line = result === undefined ? `${scenario.name}: did not complete` : summaryLine(scenario.name, result);
  return { name: scenario.name, line, problems, result, seconds: Math.round((Date.now() - started) / 1000) };
}

function countAnswers(load: PartnerLoad): string {
  const counts = new Map<string, number>();
  for (const o of load.offered) {
    const key = o.outcome.kind === 'success' ? 'Success' : o.outcome.kind === 'refused' ? o.outcome.errorCode : 'no answer';
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${k} ${n}`).join(', ');
}
