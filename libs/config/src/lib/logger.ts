import { ConsoleLogger, LogLevel } from '@nestjs/common';
import { currentRequestId } from './log-context';

const levelsFrom: Record<string, LogLevel[]> = {
  fatal: ['fatal'],
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  log: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
  verbose: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
};

interface JsonLineOptions {
  context: string;
  logLevel: LogLevel;
  writeStreamType?: 'stdout' | 'stderr';
  errorStack?: unknown;
}

interface JsonLine {
  level: LogLevel;
  pid: number;
  timestamp: number;
  message: unknown;
  context?: string;
  stack?: unknown;
  requestId?: string;
}

/**
 * Nest's console logger plus the request id of the work running (log-context.ts): a `requestId`
 * field on JSON lines, `[req <id>]` after the context on readable ones.
 */
class FleetLogger extends ConsoleLogger {
  protected override getJsonLogObject(message: unknown, options: JsonLineOptions): JsonLine {
    const line = super.getJsonLogObject(message, options);
    const requestId = currentRequestId();
    return requestId === undefined ? line : { ...line, requestId };
  }

  protected override formatContext(context: string): string {
    const requestId = currentRequestId();
    return super.formatContext(context) + (requestId === undefined ? '' : this.colorize(`[req ${requestId}] `, 'verbose'));
  }
}

/** The fleet's logger: structured JSON lines by default, one process name per service, the request id where there is one. */
export function createLogger(service: string, level: string, format: 'json' | 'pretty'): ConsoleLogger {
  return new FleetLogger(service, {
    json: format === 'json',
    colors: format === 'pretty' && process.stdout.isTTY === true,
    logLevels: levelsFrom[level] ?? levelsFrom['log'],
    prefix: service,
  });
}

/** Phone numbers in logs keep country code and last 2 digits only (DESIGN.md: never whole numbers). */
export function maskPhone(phone: string): string {
  if (phone.length <= 5) return '*'.repeat(phone.length);
  return `${phone.slice(0, 2)}${'*'.repeat(phone.length - 4)}${phone.slice(-2)}`;
}
