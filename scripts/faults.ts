import { randomBytes } from 'node:crypto';
import { Command } from 'commander';
import { SCENARIOS } from './faults/scenarios';
import { ScenarioResult, runScenario } from './faults/run-scenario';

/**
 * `npm run test:faults [-- <scenario>...]`: the fault-injection suite. Each scenario runs the real
 * services as separate processes on the local Redis and PostgreSQL (in a world of its own),
 * offers a known load, injects its fault, lets the fleet recover and reconciles the ledgers. One
 * summary line per scenario; exits 1 when any scenario lost a message, repeated one beyond its
 * documented window, or failed a check. docs/reliability.md says which scenario proves what.
 */
async function main(): Promise<void> {
  const program = new Command('test:faults')
    .argument('[scenarios...]', `scenarios to run (default: all): ${SCENARIOS.map((s) => s.name).join(', ')}`)
    .option('--settle-seconds <n>', 'how long the fleet gets to settle after the load', '180')
    .option('--keep', 'keep the scenario databases and Redis keys for a look afterwards')
    .parse();
  const names = program.args;
  const options = program.opts<{ settleSeconds: string; keep?: boolean }>();
  const unknown = names.filter((name) => !SCENARIOS.some((s) => s.name === name));
  if (unknown.length > 0) throw new Error(`no scenario named ${unknown.join(', ')}; there are ${SCENARIOS.map((s) => s.name).join(', ')}`);
  const chosen = names.length === 0 ? SCENARIOS : SCENARIOS.filter((s) => names.includes(s.name));
  const settings = {
    runId: `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`,
    postgresUrl: process.env.FAULTS_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
    redisUrl: process.env.FAULTS_REDIS_URL ?? 'redis://127.0.0.1:6379',
    settleWithinMs: Number(options.settleSeconds) * 1000,
    keepWorlds: options.keep === true,
  };
  const results: ScenarioResult[] = [];
  for (const scenario of chosen) {
    const result = await runScenario(scenario, settings, (line) => console.log(line));
    console.log(result.line);
    for (const problem of result.problems) console.log(`  FAIL ${problem}`);
    results.push(result);
  }
  console.log('\nfault-injection summary:');
  for (const r of results) console.log(`${r.problems.length === 0 ? 'ok  ' : 'FAIL'} ${r.line} (${r.seconds} s)`);
  if (results.some((r) => r.problems.length > 0)) process.exitCode = 1;
  // Everything is closed by now; should a handle leak anyway, name it and fail rather than hang CI.
  setTimeout(() => {
    console.error(`test:faults: still running 10 s after the summary, held by ${process.getActiveResourcesInfo().join(', ')}`);
    process.exit(1);
  }, 10_000).unref();
}

main().catch((error: unknown) => {
  console.error(`test:faults: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
