import { execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';

/**
 * CPU seconds (user + system) and resident memory of the processes the bench cares about, read
 * from /proc every few hundred milliseconds. Processes come and go (PostgreSQL backends, cluster
 * workers, a restarted worker): each one is kept by pid and start time, its last reading counts
 * after it is gone, so a group's CPU is the sum over every process it ever had.
 */
export type GroupSelector =
  /** A process and all its descendants (a fleet service with its cluster workers); roots may change. */
  | { readonly kind: 'tree'; readonly roots: () => readonly number[] }
  /** Exactly this process. */
  | { readonly kind: 'pid'; readonly pid: number }
  /** Processes whose command name and command line pass the test. */
  | { readonly kind: 'match'; readonly comm: string; readonly cmdline?: (cmdline: string) => boolean };

export interface GroupUsage {
  readonly cpu_s: number;
  /**
   * One process: its VmHWM (the kernel's peak, spikes between samples included). Several (cluster
   * workers, PostgreSQL backends): the most they held together in one sample, shared memory once.
   */
  readonly peak_rss_mb: number;
  /** The most the group's processes held together in one sample (own pages summed, shared memory once). */
  readonly peak_sampled_rss_mb: number;
  /** Sum of each process' own VmHWM: an upper bound (PostgreSQL's shared buffers counted per backend). */
  readonly sum_of_process_peaks_mb: number;
  /** Processes seen over the window. */
  readonly processes: number;
}

export interface PhaseUsage {
  readonly wall_s: number;
  readonly cpu_s: Record<string, number>;
  readonly peak_sampled_rss_mb: Record<string, number>;
}

interface Stat {
  readonly pid: number;
  readonly ppid: number;
  readonly comm: string;
  readonly ticks: number;
  readonly startTime: string;
}

interface Tracked {
  readonly group: string;
  readonly baseTicks: number;
  lastTicks: number;
  /** Resident memory of its own (anonymous and file-backed pages), and shared memory. */
  privateKb: number;
  shmemKb: number;
  hwmKb: number;
  alive: boolean;
}

const TICKS_PER_SECOND = ((): number => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** `postgres: 15/main: <user> <database> <host>(<port>) <state>` */
const POSTGRES_BACKEND = /^postgres: [^:]+: (\S+) (\S+) (\[local\]|\S+\(\d+\))/;

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Fields of /proc/<pid>/stat; the command name is in parentheses and may itself hold spaces. */
function parseStat(text: string): Stat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const rest = text.slice(close + 2).split(' ');
  // rest[0] is field 3 (state): field n is rest[n - 3].
  return {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    ppid: Number(rest[1]),
    ticks: Number(rest[11]) + Number(rest[12]),
    startTime: rest[19] ?? '0',
  };
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined; // the process ended between the listing and the read
  }
}

const statusKb = (status: string, field: string): number => {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match === null ? 0 : Number(match[1]);
};

export class ProcessMonitor {
  private readonly groups = new Map<string, GroupSelector>();
  private readonly tracked = new Map<string, Tracked>();
  private readonly cmdlines = new Map<string, string>();
  private readonly peakSampled = new Map<string, number>();
  private phasePeak = new Map<string, number>();
  private preexisting: Set<string> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;

  constructor(private readonly intervalMs = 500) {}

  addGroup(name: string, selector: GroupSelector): void {
    this.groups.set(name, selector);
  }

  get groupNames(): string[] {
    return [...this.groups.keys()];
  }

  /** Takes a first reading (processes already running count from now on) and samples periodically. */
  async start(): Promise<void> {
    await this.sample();
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One reading now (waits for one in progress instead of overlapping it). */
  sample(): Promise<void> {
    this.inFlight ??= this.read().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** CPU seconds per group so far. */
  cpuTotals(): Record<string, number> {
    const totals: Record<string, number> = Object.fromEntries(this.groupNames.map((name) => [name, 0]));
    for (const t of this.tracked.values()) totals[t.group] += (t.lastTicks - t.baseTicks) / TICKS_PER_SECOND;
    return totals;
  }

  /** Resident memory (MB) of each group's live processes, as last read. */
  currentRssMb(): Record<string, number> {
    const totals: Record<string, number> = Object.fromEntries(this.groupNames.map((name) => [name, 0]));
    for (const [name, kb] of this.groupRssKb()) totals[name] = kb / 1024;
    return Object.fromEntries(Object.entries(totals).map(([name, mb]) => [name, round(mb, 1)]));
  }

  usage(): Record<string, GroupUsage> {
    const cpu = this.cpuTotals();
    const result: Record<string, GroupUsage> = {};
    for (const name of this.groupNames) {
      const members = [...this.tracked.values()].filter((t) => t.group === name);
      const sampled = (this.peakSampled.get(name) ?? 0) / 1024;
      const sumOfPeaks = members.reduce((sum, t) => sum + t.hwmKb, 0) / 1024;
      result[name] = {
        cpu_s: round(cpu[name], 2),
        peak_rss_mb: round(members.length === 1 ? sumOfPeaks : sampled, 1),
        peak_sampled_rss_mb: round(sampled, 1),
        sum_of_process_peaks_mb: round(sumOfPeaks, 1),
        processes: members.length,
      };
    }
    return result;
  }

  /** Measures one phase: CPU per group over it, and the most each group held in one sample. */
  async phase<T>(work: () => Promise<T>): Promise<{ result: T; usage: PhaseUsage }> {
    await this.sample();
    const before = this.cpuTotals();
    this.phasePeak = new Map();
    const started = performance.now();
    const result = await work();
    await this.sample();
    const after = this.cpuTotals();
    const usage: PhaseUsage = {
      wall_s: round((performance.now() - started) / 1000, 2),
      cpu_s: Object.fromEntries(this.groupNames.map((name) => [name, round(after[name] - before[name], 2)])),
      peak_sampled_rss_mb: Object.fromEntries(this.groupNames.map((name) => [name, round((this.phasePeak.get(name) ?? 0) / 1024, 1)])),
    };
    return { result, usage };
  }

  private async read(): Promise<void> {
    const entries = await readdir('/proc').catch(() => [] as string[]);
    const stats = (
      await Promise.all(entries.filter((e) => /^\d+$/.test(e)).map(async (pid) => readText(`/proc/${pid}/stat`)))
    )
      .map((text) => (text === undefined ? undefined : parseStat(text)))
      .filter((s): s is Stat => s !== undefined);

    const keyOf = (s: Stat) => `${s.pid}:${s.startTime}`;
    const firstReading = this.preexisting === undefined;
    if (firstReading) this.preexisting = new Set(stats.map(keyOf));

    const members = await this.membersOf(stats);
    const seen = new Set<string>();
    await Promise.all(
      [...members].map(async ([stat, group]) => {
        const key = keyOf(stat);
        const status = await readText(`/proc/${stat.pid}/status`);
        if (status === undefined) return;
        seen.add(key);
        let t = this.tracked.get(key);
        if (t === undefined) {
          // A process that was there before the bench began counts from the first reading; one born
          // since counts from its start.
          t = { group, baseTicks: this.preexisting?.has(key) ? stat.ticks : 0, lastTicks: stat.ticks, privateKb: 0, shmemKb: 0, hwmKb: 0, alive: true };
          this.tracked.set(key, t);
        }
        t.lastTicks = stat.ticks;
        t.privateKb = statusKb(status, 'RssAnon') + statusKb(status, 'RssFile');
        t.shmemKb = statusKb(status, 'RssShmem');
        t.hwmKb = Math.max(t.hwmKb, statusKb(status, 'VmHWM'));
      }),
    );
    for (const [key, t] of this.tracked) t.alive = seen.has(key);
    for (const [group, kb] of this.groupRssKb()) {
      this.peakSampled.set(group, Math.max(this.peakSampled.get(group) ?? 0, kb));
      this.phasePeak.set(group, Math.max(this.phasePeak.get(group) ?? 0, kb));
    }
  }

  /**
   * Resident memory of each group's live processes: their own pages summed, shared memory once
   * (every PostgreSQL backend maps the same shared buffers; VmRSS would count them per backend).
   */
  private groupRssKb(): Map<string, number> {
    const own = new Map<string, number>();
    const shared = new Map<string, number>();
    for (const t of this.tracked.values()) {
      if (!t.alive) continue;
      own.set(t.group, (own.get(t.group) ?? 0) + t.privateKb);
      shared.set(t.group, Math.max(shared.get(t.group) ?? 0, t.shmemKb));
    }
    return new Map([...own].map(([group, kb]) => [group, kb + (shared.get(group) ?? 0)]));
  }

  /** Which group each process belongs to (a process in none is left out). */
  private async membersOf(stats: readonly Stat[]): Promise<Map<Stat, string>> {
    const byPid = new Map(stats.map((s) => [s.pid, s]));
    const children = new Map<number, Stat[]>();
    for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
    const members = new Map<Stat, string>();
    for (const [name, selector] of this.groups) {
      if (selector.kind === 'pid') {
        const stat = byPid.get(selector.pid);
        if (stat !== undefined) members.set(stat, name);
      } else if (selector.kind === 'tree') {
        const queue = selector.roots().map((pid) => byPid.get(pid)).filter((s): s is Stat => s !== undefined);
        while (queue.length > 0) {
          const stat = queue.shift() as Stat;
          if (members.has(stat)) continue;
          members.set(stat, name);
          queue.push(...(children.get(stat.pid) ?? []));
        }
      } else {
        for (const stat of stats) {
          if (stat.comm !== selector.comm || members.has(stat)) continue;
          if (selector.cmdline === undefined || selector.cmdline(await this.cmdlineOf(stat))) members.set(stat, name);
        }
      }
    }
    return members;
  }

  private async cmdlineOf(stat: Stat): Promise<string> {
    const key = `${stat.pid}:${stat.startTime}`;
    const known = this.cmdlines.get(key);
    if (known !== undefined) return known;
    const text = ((await readText(`/proc/${stat.pid}/cmdline`)) ?? '').replace(/\0/g, ' ').trim();
    // A PostgreSQL backend names its user and database once it has them, and keeps them (only the
    // state after them changes): remembered then; anything else is read again next time.
    if (POSTGRES_BACKEND.test(text)) this.cmdlines.set(key, text);
    return text;
  }
}

/**
 * PostgreSQL's own processes (postmaster, checkpointer, WAL writer, autovacuum...) and the backends
 * serving the bench's database; backends of other databases (someone's tests) are left out.
 */
export function postgresOf(databaseName: string): (cmdline: string) => boolean {
  return (cmdline) => {
    const backend = POSTGRES_BACKEND.exec(cmdline);
    return backend === null || backend[2] === databaseName;
  };
}
