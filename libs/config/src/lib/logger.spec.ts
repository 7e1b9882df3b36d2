import { ConsoleLogger, LogLevel } from '@nestjs/common';
import { withLogContext } from './log-context';
import { createLogger, maskPhone } from './logger';

describe('maskPhone', () => {
  it.each<[string, string]>([
    ['16501234123', '16*******23'],
    ['447700900123', '44********23'],
    ['4915112345678', '49*********78'],
    ['016501234123', '01********23'],
    ['123456', '12**56'],
    ['12345', '*****'],
    ['1234', '****'],
    ['1', '*'],
    ['', ''],
  ])('%p -> %p', (phone, masked) => {
    expect(maskPhone(phone)).toBe(masked);
  });

  it('keeps the length and never shows more than 4 digits', () => {
    for (let length = 0; length <= 20; length++) {
      const phone = '9'.repeat(length);
      const masked = maskPhone(phone);
      expect(masked).toHaveLength(length);
      expect(masked.replace(/\*/g, '').length).toBeLessThanOrEqual(Math.min(4, Math.max(0, length - 2)));
    }
  });
});

/** What the work wrote to stdout, one entry per write. */
function linesWritten(work: () => void): string[] {
  const lines: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    work();
  } finally {
    write.mockRestore();
  }
  return lines;
}

describe('createLogger', () => {
  const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

  it.each<[string, LogLevel[]]>([
    ['fatal', ['fatal']],
    ['error', ['fatal', 'error']],
    ['warn', ['fatal', 'error', 'warn']],
    ['log', ['fatal', 'error', 'warn', 'log']],
    ['debug', ['fatal', 'error', 'warn', 'log', 'debug']],
    ['verbose', LEVELS],
    ['trace', ['fatal', 'error', 'warn', 'log']],
  ])('level %p enables %p', (level, enabled) => {
    const logger = createLogger('gateway', level, 'json');
    expect(logger).toBeInstanceOf(ConsoleLogger);
    expect(LEVELS.filter((l) => logger.isLevelEnabled(l))).toStrictEqual(enabled);
  });

  it('writes JSON lines with the service as context', () => {
    const lines = linesWritten(() => {
      const logger = createLogger('delivery', 'log', 'json');
      logger.log('submitted');
      logger.debug('not shown');
    });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ level: 'log', message: 'submitted', context: 'delivery' });
  });

  it('writes readable lines in pretty format', () => {
    const lines = linesWritten(() => {
      createLogger('barcode', 'log', 'pretty').log('rendered');
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\[barcode\] .*LOG \[barcode\] rendered\n$/);
  });

  it('adds the request id of the work running to JSON lines, and nothing outside one', () => {
    const lines = linesWritten(() => {
      const logger = createLogger('gateway', 'log', 'json');
      withLogContext({ requestId: 'req-42' }, () => logger.log('accepted', 'PartnerApi'));
      logger.log('swept');
    });
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ message: 'accepted', context: 'PartnerApi', requestId: 'req-42' });
    expect(JSON.parse(lines[1] ?? '')).not.toHaveProperty('requestId');
  });

  it('shows the request id after the context in pretty format', () => {
    const lines = linesWritten(() => {
      withLogContext({ requestId: 'req-42' }, () => createLogger('barcode', 'log', 'pretty').log('rendered'));
    });
    expect(lines[0]).toMatch(/LOG \[barcode\] \[req req-42\] rendered\n$/);
  });
});
