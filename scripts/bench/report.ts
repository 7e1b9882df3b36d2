import type { Symbology } from '@mms/contracts';
import { BurstResult, LatencyResult } from './e2e';
import { LogSummary } from './log-watch';
import { MachineInfo } from './machine';
import { GroupUsage, PhaseUsage } from './process-stats';
import { RenderFigures } from './renders';
import { TARGETS } from './settings';
import { SoakResult } from './soak';
import { Throughput } from './throughput';

/** Everything one run measured; `bench-results.json` is this object. */
export interface BenchResults {
  timestamp: string;
  mode: string;
  complete: boolean;
  failure?: string;
  settings: Record<string, unknown>;
  ceiling_rps?: number;
  ceiling_p50_ms?: number;
  ceiling_p99_ms?: number;
  ceiling_p99_half_load_ms?: number;
  accept_rps?: number;
  accept_p50_ms?: number;
  accept_p99_ms?: number;
  accept_ratio?: number;
  accept_p99_half_load_ms?: number;
  ceiling_detail?: Throughput;
  accept_detail?: Throughput;
  /** MMS that reached the simulator per second while the gateway was under the accept load. */
  pipeline_mms_per_s_during_accept?: number;
  e2e_mms_per_s?: number;
  /** The burst's figure counts only the MMS that arrived before the cap. */
  e2e_partial?: boolean;
  e2e_burst?: BurstResult;
  e2e_p50_ms?: number;
  e2e_p99_ms?: number;
  e2e_latency?: LatencyResult;
  e2e_scaling?: Record<string, number>;
  e2e_scaling_detail?: Record<string, { workers_seen: { barcode: number; delivery: number }; burst: BurstResult }>;
  render_per_core?: RenderFigures['render_per_core'];
  bwip_per_core?: RenderFigures['bwip_per_core'];
  render_ratio?: RenderFigures['render_ratio'];
  processes?: Record<string, GroupUsage>;
  processes_by_phase?: Record<string, PhaseUsage>;
  soak?: SoakResult;
  phase_seconds: Record<string, number>;
  logs?: Record<string, LogSummary>;
  targets?: TargetCheck[];
  notes: string[];
  machine?: MachineInfo;
}

export interface TargetCheck {
  readonly name: string;
  readonly target: string;
  readonly value: string;
  /** null: not measured in this run. */
  readonly met: boolean | null;
}

export function checkTargets(r: BenchResults): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const add = (name: string, target: string, value: number | undefined, ok: (v: number) => boolean, unit = '', flag = '') =>
    checks.push({ name, target, value: value === undefined ? 'not measured' : `${value}${unit}${flag}`, met: value === undefined ? null : ok(value) });
  add('accept ratio (gateway / ceiling)', `>= ${TARGETS.acceptRatio}`, r.accept_ratio, (v) => v >= TARGETS.acceptRatio);
  add('accept p99 at half load', `< ${TARGETS.acceptP99HalfLoadMs} ms`, r.accept_p99_half_load_ms, (v) => v < TARGETS.acceptP99HalfLoadMs, ' ms');
  add('end to end (burst)', `>= ${TARGETS.e2eMmsPerS} MMS/s`, r.e2e_mms_per_s, (v) => v >= TARGETS.e2eMmsPerS, ' MMS/s', r.e2e_partial ? ' (partial)' : '');
  add(
    `end-to-end p99 at ${r.e2e_latency?.offered_per_s ?? 300}/s offered`,
    `< ${TARGETS.e2eP99Ms} ms`,
    r.e2e_p99_ms,
    (v) => v < TARGETS.e2eP99Ms && r.e2e_latency?.p99_is_lower_bound !== true,
    ' ms',
    r.e2e_latency?.p99_is_lower_bound ? ` or more (${r.e2e_latency.missing} never SUBMITTED)` : '',
  );
  add('QR Code renders per CPU-second', `>= ${TARGETS.renderQrPerCpuS}`, r.render_per_core?.QRCODE, (v) => v >= TARGETS.renderQrPerCpuS);
  for (const [symbology, ratio] of Object.entries(r.render_ratio ?? {})) {
    add(`${symbology} renders vs bwip-js per CPU-second`, `>= ${TARGETS.renderRatio}x`, ratio, (v) => v >= TARGETS.renderRatio, 'x');
  }
  if (r.render_ratio === undefined) {
    checks.push({ name: 'every symbology vs bwip-js per CPU-second', target: `>= ${TARGETS.renderRatio}x`, value: 'not measured', met: null });
  }
  return checks;
}

const pad = (text: string, width: number) => text.padEnd(width);
const verdict = (met: boolean | null) => (met === null ? '-' : met ? 'met' : 'NOT MET');
const codes = (refused: Record<string, number>) =>
  Object.keys(refused).length === 0 ? 'none' : Object.entries(refused).map(([code, n]) => `${code} x${n}`).join(', ');

export function renderReport(r: BenchResults): string {
  const out: string[] = [];
  const line = (text = '') => out.push(text);
  line(`\n=== npm run bench (${r.mode} mode) ${r.complete ? '' : '- INCOMPLETE'} ===`);
  if (r.failure !== undefined) line(`run stopped early: ${r.failure.split('\n')[0]}`);
  for (const note of r.notes) line(`note: ${note}`);

  const load = r.settings.load as { warmupS: number; measureS: number; halfLoadS: number; connections: number } | undefined;
  if (load !== undefined) {
    line(
      `settings: ${load.connections} connections; warm-up ${load.warmupS} s, ${load.measureS} s at full speed, ${load.halfLoadS} s at half that rate; ` +
        `fleet ${JSON.stringify(r.settings.base_workers)}; database ${String(r.settings.database)}`,
    );
  }
  const ceiling = r.ceiling_detail;
  const accept = r.accept_detail;
  if (ceiling !== undefined || accept !== undefined) {
    line('\n-- accept path: Success answers per second, 50 connections, then p99 at half that rate offered');
    line(`${pad('', 12)}${pad('Success/s', 11)}${pad('p50 ms', 8)}${pad('p99 ms', 8)}${pad('half load', 12)}${pad('p99 ms', 8)}refused (by ERRORCODE) / non-2xx / errors`);
    for (const [name, t] of [['ceiling', ceiling], ['gateway', accept]] as const) {
      if (t === undefined) continue;
      line(
        `${pad(name, 12)}${pad(String(t.rps), 11)}${pad(String(t.p50_ms), 8)}${pad(String(t.p99_ms), 8)}${pad(`${t.half_load_rate}/s`, 12)}${pad(String(t.p99_half_load_ms), 8)}` +
          `${codes(t.full.refused)} / ${t.full.non2xx + t.half.non2xx} / ${t.full.errors + t.half.errors} (half load: ${codes(t.half.refused)})`,
      );
    }
  }
  const burst = r.e2e_burst;
  if (burst !== undefined) {
    line('\n-- end to end: burst to the MMSC simulator');
    line(
      `${burst.requested} requested, ${burst.accepted} accepted in ${burst.send_s} s, ${burst.delivered} reached the simulator in ${burst.elapsed_s} s: ` +
        `${burst.mms_per_s} MMS/s${burst.partial ? ' (PARTIAL: the wait was capped before all arrived)' : ''}${burst.send_capped ? ' (sending capped)' : ''}; refused: ${codes(burst.refused)}`,
    );
  }
  const latency = r.e2e_latency;
  if (latency !== undefined) {
    line(`\n-- end to end: latency at ${latency.offered_per_s}/s offered for ${latency.duration_s} s (request sent -> SUBMITTED)`);
    line(
      `${latency.accepted} accepted (${latency.accepted_per_s}/s), ${latency.submitted} SUBMITTED: p50 ${latency.p50_ms} ms${latency.p50_is_lower_bound ? ' or more' : ''}, p99 ${latency.p99_ms} ms${latency.p99_is_lower_bound ? ' or more' : ''}, max ${latency.max_ms} ms; ` +
        `accept p99 ${latency.accept_p99_ms} ms; refused: ${codes(latency.refused)}`,
    );
    if (latency.missing > 0) line(`!! ${latency.missing} of ${latency.accepted} accepted messages were not SUBMITTED when the wait ended`);
  }
  if (r.e2e_scaling_detail !== undefined) {
    line('\n-- end to end: worker processes (BARCODE_PROCESSES = DELIVERY_PROCESSES = n)');
    for (const [n, detail] of Object.entries(r.e2e_scaling_detail)) {
      line(
        `n=${n}: ${detail.burst.mms_per_s} MMS/s${detail.burst.partial ? ' (partial)' : ''} (${detail.burst.accepted} accepted, ${detail.burst.elapsed_s} s); ` +
          `BullMQ workers seen: barcode ${detail.workers_seen.barcode}, delivery ${detail.workers_seen.delivery}`,
      );
    }
  }
  line('\n-- renders per CPU-second (this process)');
  if (r.render_per_core === undefined) {
    line('not measured: the run stopped before');
  } else {
    line(`${pad('symbology', 12)}${pad('ours', 8)}${pad('bwip-js', 9)}ratio`);
    for (const [symbology, ours] of Object.entries(r.render_per_core)) {
      const s = symbology as Symbology;
      line(`${pad(symbology, 12)}${pad(String(ours), 8)}${pad(String(r.bwip_per_core?.[s] ?? '-'), 9)}${r.render_ratio?.[s] ?? '-'}`);
    }
  }
  if (r.processes !== undefined) {
    const phases = Object.keys(r.processes_by_phase ?? {});
    line('\n-- processes: CPU seconds (user+system) per phase and over the run; peak RSS: VmHWM of a lone process, else the most a group held in one sample');
    const width = (phase: string) => Math.max(9, phase.length + 2);
    line(`${pad('process', 16)}${phases.map((p) => pad(p, width(p))).join('')}${pad('run cpu_s', 11)}${pad('peak MB', 9)}processes`);
    for (const [name, usage] of Object.entries(r.processes)) {
      const perPhase = phases.map((p) => pad(String(r.processes_by_phase?.[p]?.cpu_s[name] ?? '-'), width(p))).join('');
      line(`${pad(name, 16)}${perPhase}${pad(String(usage.cpu_s), 11)}${pad(String(usage.peak_rss_mb), 9)}${usage.processes}`);
    }
  }
  if (r.soak !== undefined) {
    const s = r.soak;
    line(`\n-- soak: ${s.offered_per_s}/s offered for ${s.duration_s} s`);
    line(
      `${s.accepted} accepted (${s.accepted_per_s}/s), ${s.delivered_per_s} MMS/s reached the simulator, accept p99 ${s.accept_p99_ms} ms; refused: ${codes(s.refused)}; ` +
        `at the end ${s.lag_at_end.unsubmitted} not yet SUBMITTED (oldest ${s.lag_at_end.oldest_unsubmitted_age_s} s), ${s.lag_at_end.drained_after_s === null ? 'not drained within 60 s (or not on course to)' : `drained after ${s.lag_at_end.drained_after_s} s`}`,
    );
    line(`${pad('RSS MB', 16)}${pad('warm', 8)}${pad('end', 8)}max`);
    for (const [name, m] of Object.entries(s.rss_mb)) line(`${pad(name, 16)}${pad(String(m.after_warmup), 8)}${pad(String(m.end), 8)}${m.max}`);
    const redis = s.redis_used_memory_mb;
    line(`${pad('Redis used_mem', 16)}${pad(String(redis.after_warmup), 8)}${pad(String(redis.end), 8)}${redis.max}`);
  }
  const noisy = Object.entries(r.logs ?? {}).filter(([, summary]) => summary.samples.length > 0);
  if (noisy.length > 0) {
    line('\n-- warnings and errors in the logs (LOG_LEVEL=warn)');
    for (const [name, summary] of noisy) {
      const counts = Object.entries(summary.byPhase)
        .map(([phase, c]) => `${phase}: ${Object.entries(c).map(([level, n]) => `${level} ${n}`).join(' ')}`)
        .join('; ');
      line(`${name} (${summary.file}): ${counts}`);
      for (const sample of summary.samples.slice(0, 3)) line(`    ${sample}`);
    }
  }
  if (r.targets !== undefined) {
    line('\n-- targets');
    for (const t of r.targets) line(`${pad(t.name, 48)}${pad(t.value, 40)}${pad(t.target, 14)}${verdict(t.met)}`);
  }
  line(`\n-- phase timings (s): ${Object.entries(r.phase_seconds).map(([name, s]) => `${name} ${s}`).join(', ')}`);
  if (r.machine !== undefined) {
    const m = r.machine;
    line(
      `-- machine: ${m.cpus} x ${m.cpu_model}, ${m.memory_total_mb} MB, Node ${m.node}, PostgreSQL ${m.postgresql}, Redis ${m.redis}, load average at start ${m.load_average_at_start.join(' ')}`,
    );
  }
  return out.join('\n');
}
