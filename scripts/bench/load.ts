import autocannon from 'autocannon';
import { BarcodeIds, FORM_CONTENT_TYPE, PARTNER_API_PATH, readAnswer, sendMmsBarcodeForm } from './partner-request';

/**
 * autocannon, used as a partner would: POST the `xml` form field, a fresh BARCODEID per request,
 * each answer read for its STATUS (HTTP 200 with <STATUS>Failure</STATUS> is a refusal, not a
 * success). Latencies are taken per answer from autocannon's `response` event, so that every run
 * is summarised the same way (autocannon 9's own histogram, under a rate, "corrects" for
 * coordinated omission with a 1 ms expected interval whatever the rate, which inflates p99).
 */
interface LoadBase {
  /** Origin of the server, e.g. http://127.0.0.1:3000. */
  readonly origin: string;
  readonly connections: number;
  readonly durationS?: number;
  readonly timeoutS?: number;
  /** Stop after this long whatever else: a slow server must not blow the phase's budget. */
  readonly capS?: number;
  readonly barcodeIds: BarcodeIds;
  /** Each accepted request: its TRACKINGID, when it was sent and when it was answered (epoch ms). */
  readonly onAccepted?: (trackingId: string, sentAt: number, answeredAt: number) => void;
}

export interface LoadRun extends LoadBase {
  /** Stop after this many answers (the burst); `durationS` is then ignored. */
  readonly amount?: number;
}

export interface PacedRun extends LoadBase {
  /** Requests per second offered, spread evenly over the second. */
  readonly rate: number;
  readonly durationS: number;
}

export interface LoadResult {
  readonly durationS: number;
  readonly offeredRate: number | null;
  readonly connections: number;
  readonly answered: number;
  /** Answers with <STATUS>Success</STATUS>. */
  readonly success: number;
  readonly successPerS: number;
  /** Refusals by ERRORCODE (HTTP 2xx, STATUS not Success), and other HTTP statuses. */
  readonly failures: Record<string, number>;
  readonly non2xx: number;
  /** Connection errors and timeouts (autocannon counts timeouts among errors). */
  readonly errors: number;
  readonly timeouts: number;
  /** Over every answer, in ms. */
  readonly latency: { readonly p50: number; readonly p99: number; readonly max: number; readonly mean: number };
  /** Stopped by `capS` before its duration or amount. */
  readonly capped: boolean;
  readonly startedAt: number;
  readonly endedAt: number;
}

interface SendContext {
  sentAt?: number;
}

/** What the answers of one run (one or several autocannon instances) add up to. */
class Tally {
  success = 0;
  readonly failures: Record<string, number> = {};
  readonly latencies: number[] = [];

  constructor(private readonly onAccepted: LoadBase['onAccepted']) {}

  answer(status: number, body: string, sentAt: number | undefined): void {
    if (status < 200 || status > 299) return this.fail(`HTTP ${status}`);
    const answer = readAnswer(body);
    if (answer.status !== 'Success') return this.fail(answer.errorCode ?? `STATUS ${answer.status ?? '(none)'}`);
    this.success += 1;
    if (answer.trackingId !== undefined && sentAt !== undefined) this.onAccepted?.(answer.trackingId, sentAt, Date.now());
  }

  get answered(): number {
    return this.success + Object.values(this.failures).reduce((a, b) => a + b, 0);
  }

  private fail(key: string): void {
    this.failures[key] = (this.failures[key] ?? 0) + 1;
  }
}

interface Launch {
  readonly connections: number;
  readonly durationS: number;
  readonly amount?: number;
  readonly connectionRate?: number;
}

interface Launched {
  readonly result: autocannon.Result;
  readonly capped: boolean;
}

const running = new Set<autocannon.Instance>();

/** Stops every load in flight (the run is being aborted). */
export function stopAllLoads(): void {
  for (const instance of running) instance.stop();
}

function launch(run: LoadBase, launchOptions: Launch, tally: Tally): Promise<Launched> {
  return new Promise<Launched>((resolve, reject) => {
    const timer: { cap?: NodeJS.Timeout; capped: boolean } = { capped: false };
    const instance = autocannon(
      {
        url: `${run.origin}${PARTNER_API_PATH}`,
        method: 'POST',
        headers: { 'content-type': FORM_CONTENT_TYPE },
        connections: launchOptions.connections,
        duration: launchOptions.durationS,
        amount: launchOptions.amount,
        connectionRate: launchOptions.connectionRate,
        timeout: run.timeoutS ?? 10,
        requests: [
          {
            setupRequest: (request, context) => {
              (context as SendContext).sentAt = Date.now();
              return { ...request, body: sendMmsBarcodeForm(run.barcodeIds.take()) };
            },
            onResponse: (status, body, context) => tally.answer(status, body, (context as SendContext).sentAt),
          },
        ],
      },
      (error: unknown, result: autocannon.Result) => {
        clearTimeout(timer.cap);
        running.delete(instance);
        if (error !== null && error !== undefined) reject(error instanceof Error ? error : new Error(String(error)));
        else resolve({ result, capped: timer.capped });
      },
    );
    // A connection's first answer also waited for the TCP connection: a partner keeping its
    // connection alive pays that once, so it is left out of the latencies.
    const connected = new WeakSet<autocannon.Client>();
    instance.on('response', (client: autocannon.Client, _status: number, _bytes: number, responseTime: number) => {
      if (connected.has(client)) tally.latencies.push(responseTime);
      else connected.add(client);
    });
    running.add(instance);
    timer.cap = setTimeout(() => {
      timer.capped = true;
      instance.stop();
    }, (run.capS ?? 3600) * 1000);
  });
}

/** As many requests as the connections can carry (or `amount` of them, as fast as they go). */
export async function runLoad(run: LoadRun): Promise<LoadResult> {
  const tally = new Tally(run.onAccepted);
  const connections = Math.max(1, Math.min(run.connections, run.amount ?? Number.MAX_SAFE_INTEGER));
  const startedAt = Date.now();
  const { result, capped } = await launch(run, { connections, durationS: run.durationS ?? 10, amount: run.amount }, tally);
  return summarize(tally, [result], { startedAt, connections, offeredRate: null, capped, durationS: result.duration });
}

/**
 * A steady offered rate. autocannon's overallRate lets every connection send its share of a
 * second back to back at the same instant, each second: a burst of `connections` concurrent
 * requests, then silence. Here each connection is its own autocannon instance with its share as
 * connectionRate, started 1/connections of a second after the previous one, so the requests
 * arrive spread over the second as a partner's traffic would. Rates are per second of each
 * connection's own time (the first second ramps up).
 */
export async function runPaced(run: PacedRun): Promise<LoadResult> {
  const tally = new Tally(run.onAccepted);
  const rate = wholeRate(run.rate);
  const connections = Math.max(1, Math.min(run.connections, rate));
  const startedAt = Date.now();
  const launches: Array<Promise<Launched>> = [];
  for (let i = 0; i < connections; i += 1) {
    const share = Math.floor(rate / connections) + (i < rate % connections ? 1 : 0);
    // Staggered in, all ending together: the run takes durationS, its first second ramps up.
    const offsetS = i / connections;
    launches.push(
      new Promise<void>((resolve) => setTimeout(resolve, offsetS * 1000)).then(() =>
        launch(run, { connections: 1, durationS: run.durationS - offsetS, connectionRate: share }, tally),
      ),
    );
  }
  const launched = await Promise.all(launches);
  const results = launched.map((l) => l.result);
  const durationS = results.reduce((sum, r) => sum + r.duration, 0) / results.length;
  return summarize(tally, results, { startedAt, connections, offeredRate: rate, capped: launched.some((l) => l.capped), durationS });
}

function summarize(
  tally: Tally,
  results: readonly autocannon.Result[],
  run: { startedAt: number; connections: number; offeredRate: number | null; capped: boolean; durationS: number },
): LoadResult {
  const durationS = Math.max(run.durationS, 0.001);
  const sorted = [...tally.latencies].sort((a, b) => a - b);
  const at = (p: number) => (sorted.length === 0 ? 0 : Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] * 10) / 10);
  const sum = (pick: (r: autocannon.Result) => number) => results.reduce((total, r) => total + pick(r), 0);
  return {
    durationS,
    offeredRate: run.offeredRate,
    connections: run.connections,
    answered: tally.answered,
    success: tally.success,
    successPerS: tally.success / durationS,
    failures: tally.failures,
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    latency: {
      p50: at(0.5),
      p99: at(0.99),
      max: sorted.length === 0 ? 0 : Math.round(sorted[sorted.length - 1] * 10) / 10,
      mean: sorted.length === 0 ? 0 : Math.round((sorted.reduce((a, b) => a + b, 0) / sorted.length) * 10) / 10,
    },
    capped: run.capped,
    startedAt: run.startedAt,
    endedAt: Date.now(),
  };
}

/** A short run at full speed whose figures are thrown away. */
export async function warmUp(origin: string, connections: number, seconds: number, barcodeIds: BarcodeIds): Promise<void> {
  if (seconds <= 0) return;
  await runLoad({ origin, connections, durationS: seconds, barcodeIds, capS: seconds + 5 });
}

/** A rate that can be spread over connections: a whole number, at least 1. */
export function wholeRate(rate: number): number {
  return Math.max(1, Math.round(rate));
}
