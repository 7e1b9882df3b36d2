import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { METRIC_PREFIX, WorkerMetrics, registerFleetMetrics } from '@mms/queue';
import { registerDeliveryMetrics } from '../apps/delivery/src/ops/delivery-metrics';
import { registerPartnerMetrics } from '../apps/gateway/src/ops/metrics';

interface Target {
  readonly expr: string;
  readonly datasource?: { readonly type?: string; readonly uid?: string };
}
interface Panel {
  readonly type: string;
  readonly title: string;
  readonly datasource?: { readonly type?: string; readonly uid?: string };
  readonly targets?: readonly Target[];
}
interface Dashboard {
  readonly uid: string;
  readonly panels: readonly Panel[];
  readonly templating: { readonly list: ReadonlyArray<{ readonly type: string; readonly name: string; readonly query?: string }> };
}

const dashboard = JSON.parse(readFileSync(join(__dirname, '..', 'docs', 'grafana', 'mmsgw-dashboard.json'), 'utf8')) as Dashboard;

/**
 * Every series name the fleet exposes, as Prometheus sees it: the gateway's registry (partner API,
 * fleet-wide series, Node's defaults) and a worker's (job durations, delivery's own, Node's
 * defaults). Histograms and summaries expose their _bucket/_sum/_count lines.
 */
function exposedNames(): Map<string, string> {
  const gateway = new Registry();
  collectDefaultMetrics({ register: gateway });
  registerPartnerMetrics(gateway);
  const unread = () => Promise.reject(new Error('not read in this test'));
  registerFleetMetrics(gateway, { queueJobCounts: unread, outboxBacklog: unread, counter: unread }, () => undefined);
  const worker = new WorkerMetrics();
  registerDeliveryMetrics(worker.registry);

  const names = new Map<string, string>();
  for (const metric of [...gateway.getMetricsAsArray(), ...worker.registry.getMetricsAsArray()]) {
    const { name, type } = metric as unknown as { name: string; type: string };
    const suffixes = type === 'histogram' ? ['_bucket', '_sum', '_count'] : type === 'summary' ? ['', '_sum', '_count'] : [''];
    for (const suffix of suffixes) names.set(`${name}${suffix}`, name);
  }
  return names;
}

/** PromQL words that are not series names. */
const PROMQL_WORDS = new Set(
  (
    'sum min max avg count stddev stdvar topk bottomk quantile count_values group by without on ignoring group_left group_right ' +
    'and or unless bool offset rate irate increase delta idelta deriv histogram_quantile clamp_min clamp_max abs ceil floor round ' +
    'label_replace label_join vector scalar time sort sort_desc absent absent_over_time avg_over_time max_over_time min_over_time ' +
    'sum_over_time count_over_time last_over_time resets changes predict_linear timestamp'
  ).split(' '),
);

/** The series names a PromQL expression reads: what is left once strings, label sets, ranges, groupings and functions are out. */
function seriesIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
  return [...bare.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)].map((m) => m[0]).filter((word) => !PROMQL_WORDS.has(word));
}

describe('docs/grafana/mmsgw-dashboard.json', () => {
  const queried = dashboard.panels.filter((p) => p.type !== 'row');
  const exprs = queried.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));

  it('takes its Prometheus datasource from a variable, in every panel and query', () => {
    expect(dashboard.templating.list).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'datasource', name: 'datasource', query: 'prometheus' })]));
    for (const panel of queried) {
      expect({ panel: panel.title, datasource: panel.datasource }).toEqual({ panel: panel.title, datasource: { type: 'prometheus', uid: '${datasource}' } });
      for (const target of panel.targets ?? []) expect(target.datasource?.uid).toBe('${datasource}');
    }
  });

  it('queries only series the fleet registers', () => {
    const names = exposedNames();
    expect(exprs.length).toBeGreaterThan(10);
    const unknown = exprs.flatMap(({ panel, expr }) => {
      const series = seriesIn(expr);
      if (series.length === 0) return [`${panel}: no series in ${expr}`];
      return series.filter((name) => !names.has(name)).map((name) => `${panel}: ${name}`);
    });
    expect(unknown).toEqual([]);
  });

  it('shows every mmsgw_ series the fleet registers', () => {
    const names = exposedNames();
    const shown = new Set(exprs.flatMap(({ expr }) => seriesIn(expr)).map((name) => names.get(name)));
    const ours = [...new Set(names.values())].filter((name) => name.startsWith(METRIC_PREFIX));
    expect(ours.length).toBeGreaterThanOrEqual(11);
    expect(ours.filter((name) => !shown.has(name))).toEqual([]);
  });

  it('finds series names in PromQL the way Prometheus reads them', () => {
    expect(seriesIn('histogram_quantile(0.95, sum by (le, queue) (rate(mmsgw_job_duration_seconds_bucket{outcome="completed"}[$__rate_interval])))')).toEqual([
      'mmsgw_job_duration_seconds_bucket',
    ]);
    expect(seriesIn('sum(rate(a_total{x!="y"}[5m])) / sum(rate(b_total[5m]))')).toEqual(['a_total', 'b_total']);
  });
});
