import { createWriteStream, mkdirSync, WriteStream } from 'node:fs';
import { join } from 'node:path';

/**
 * Every line a bench process prints goes to var/bench/<process>.log (read them after a run); the
 * watch also counts warnings and errors per process and phase, and keeps the last lines of each
 * process for the message when one dies.
 */
export interface LogCounts {
  /** Lines by level (JSON logs) or `other` (plain lines: stack traces, console output). */
  readonly [level: string]: number;
}

export interface LogSummary {
  readonly file: string;
  readonly byPhase: Record<string, LogCounts>;
  /** The first distinct warning and error messages (shortened). */
  readonly samples: string[];
}

const SAMPLES = 8;
const TAIL = 40;

export class LogWatch {
  private readonly files = new Map<string, WriteStream>();
  private readonly tails = new Map<string, string[]>();
  private readonly counts = new Map<string, Map<string, Record<string, number>>>();
  private readonly samples = new Map<string, string[]>();
  phase = 'startup';

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  line(process: string, text: string): void {
    this.fileOf(process).write(`${text}\n`);
    const tail = this.tails.get(process) ?? [];
    tail.push(text);
    if (tail.length > TAIL) tail.shift();
    this.tails.set(process, tail);

    const { level, message } = classify(text);
    const phases = this.counts.get(process) ?? new Map<string, Record<string, number>>();
    const counts = phases.get(this.phase) ?? {};
    counts[level] = (counts[level] ?? 0) + 1;
    phases.set(this.phase, counts);
    this.counts.set(process, phases);
    if (level !== 'log' && level !== 'debug' && level !== 'verbose') {
      const samples = this.samples.get(process) ?? [];
      const short = message.slice(0, 200);
      if (samples.length < SAMPLES && !samples.includes(short)) samples.push(short);
      this.samples.set(process, samples);
    }
  }

  tail(process: string, lines = 15): string {
    return (this.tails.get(process) ?? []).slice(-lines).join('\n');
  }

  fileFor(process: string): string {
    return join(this.dir, `${process}.log`);
  }

  summary(): Record<string, LogSummary> {
    const result: Record<string, LogSummary> = {};
    for (const [process, phases] of this.counts) {
      result[process] = { file: this.fileFor(process), byPhase: Object.fromEntries(phases), samples: this.samples.get(process) ?? [] };
    }
    return result;
  }

  async close(): Promise<void> {
    await Promise.all([...this.files.values()].map((file) => new Promise<void>((resolve) => file.end(resolve))));
    this.files.clear();
  }

  private fileOf(process: string): WriteStream {
    let file = this.files.get(process);
    if (file === undefined) {
      file = createWriteStream(this.fileFor(process), { flags: 'w' });
      this.files.set(process, file);
    }
    return file;
  }
}

function classify(text: string): { level: string; message: string } {
  if (text.startsWith('{')) {
    try {
      const parsed = JSON.parse(text) as { level?: unknown; message?: unknown; context?: unknown };
      if (typeof parsed.level === 'string') {
        const context = typeof parsed.context === 'string' ? `[${parsed.context}] ` : '';
        return { level: parsed.level, message: `${context}${typeof parsed.message === 'string' ? parsed.message : JSON.stringify(parsed.message)}` };
      }
    } catch {
      // not JSON after all: a plain line
    }
  }
  return { level: 'other', message: text };
}
