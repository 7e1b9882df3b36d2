import http from 'node:http';
import https from 'node:https';
import type { PostbackOutcome as AttemptOutcome } from '@mms/db';
import { RefusedDestinationError, checkLiteralHost, guardedLookup } from './address-guard';

/** How one attempt went: postback_attempts.outcome (Prisma's PostbackOutcome). */
export type { AttemptOutcome };

export interface AttemptResult {
  readonly outcome: AttemptOutcome;
  readonly httpStatus: number | null;
  /** For anything but ACKNOWLEDGED: what went wrong, with the start of the answer for a status. */
  readonly error: string | null;
  readonly durationMs: number;
}

export interface PostbackRequest {
  readonly url: string;
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  /** Answers are read up to this many bytes, then the connection is dropped. */
  readonly responseLimitBytes: number;
  readonly allowPrivateNetworks: boolean;
}

/** Keep-alive per process: a partner's receiver gets many postbacks in a burst. */
const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 64 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 64 }),
};

/** Start of a non-200 answer kept in the attempt's error, for operators. */
const ANSWER_SNIPPET_CHARS = 200;

/**
 * One HTTP POST of a postback: success only on 200. Redirects are answers like any other status
 * (never followed: a redirect could lead anywhere); the whole exchange has one deadline; the
 * answer is read up to a cap. Never throws: every failure is an AttemptResult.
 */
export function postOnce(request: PostbackRequest): Promise<AttemptResult> {
  const started = performance.now();
  const done = (outcome: AttemptOutcome, httpStatus: number | null, error: string | null): AttemptResult => ({
    outcome,
    httpStatus,
    error,
    durationMs: Math.round(performance.now() - started),
  });

  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return Promise.resolve(done('BLOCKED', null, 'the postback URL is not a URL'));
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return Promise.resolve(done('BLOCKED', null, `the postback URL must be http or https, not ${url.protocol.replace(':', '')}`));
  }
  try {
    checkLiteralHost(url, request.allowPrivateNetworks);
  } catch (error) {
    return Promise.resolve(done('BLOCKED', null, (error as Error).message));
  }

  return new Promise<AttemptResult>((resolve) => {
    let settled = false;
    const finish = (result: AttemptResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolve(result);
    };
    const client = url.protocol === 'https:' ? https : http;
    const req = client.request(url, {
      method: 'POST',
      agent: agents[url.protocol as 'http:' | 'https:'],
      lookup: guardedLookup(request.allowPrivateNetworks),
      headers: { ...request.headers, 'content-length': String(request.body.length) },
    });
    // Set once a status line arrived: a deadline after it reports that status, not a timeout.
    let answeredSoFar: (() => void) | undefined;
    const deadline = setTimeout(() => {
      if (answeredSoFar) answeredSoFar();
      else finish(done('TIMEOUT', null, `no answer within ${request.timeoutMs} ms`));
      req.destroy();
    }, request.timeoutMs);

    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error instanceof RefusedDestinationError) return finish(done('BLOCKED', null, error.message));
      finish(done('NETWORK_ERROR', null, error.code ? `${error.code}: ${error.message}` : error.message));
    });
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      const chunks: Buffer[] = [];
      let size = 0;
      // 200 is the acknowledgement: decided on the status line, whatever the body does after.
      if (status === 200) finish(done('ACKNOWLEDGED', 200, null));
      const answered = (): void => {
        const answer = Buffer.concat(chunks).toString('utf8').replace(/\s+/g, ' ').trim().slice(0, ANSWER_SNIPPET_CHARS);
        finish(done('HTTP_STATUS', status, `HTTP ${status}${answer === '' ? '' : `: ${answer}`}`));
      };
      answeredSoFar = answered;
      const drainDeadline = setTimeout(() => res.destroy(), request.timeoutMs);
      drainDeadline.unref();
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= request.responseLimitBytes) {
          chunks.push(chunk);
          return;
        }
        // Past the cap: what was read decides; the rest is not read, the connection is dropped.
        answered();
        res.destroy();
      });
      res.on('close', () => {
        clearTimeout(drainDeadline);
        answered();
      });
    });
    req.end(request.body);
  });
}
