import { ConsoleLogger, LogLevel } from '@nestjs/common';

const levelsFrom: Record<string, LogLevel[]> = {
  fatal: ['fatal'],
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  log: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
  verbose: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
};

/** The fleet's logger: structured JSON lines by default, one process name per service. */
export function createLogger(service: string, level: string, format: 'json' | 'pretty'): ConsoleLogger {
  return new ConsoleLogger(service, {
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
