// Status view: backlog (GET /v1/status, admin; else the /metrics gauges), metricd's processing rate measured
// from its counter while the page is open, archive policies and rules.
import {APIError, get, prometheusValue} from './api.js';
import {LineChart} from './chart.js';
import {RequestScope, clear, errorText, formatDuration, formatNumber, h, isAbort, parseTimedelta, shortId} from './util.js';

const INTERVAL = 5000;

export function mount(main) {
  const scope = new RequestScope();
  const samples = [];
  let timer = null;
  const view = h('section', {class: 'view', 'aria-labelledby': 'status-title'});
  const backlogBox = h('div', {class: 'panel', id: 'status-backlog', 'aria-live': 'polite'});
  const waitingBox = h('div');
  const chartBox = h('div', {class: 'chart-box'});
  const policiesBox = h('div');
  const rulesBox = h('div');
  view.append(h('h2', {id: 'status-title'}, 'Status'),
    h('div', {class: 'columns'},
      h('section', {'aria-labelledby': 'backlog-title'}, h('h3', {id: 'backlog-title'}, 'Backlog and metricd'), backlogBox),
      h('section', {'aria-labelledby': 'backlog-chart-title'}, h('h3', {id: 'backlog-chart-title'}, 'Measures waiting, since this page opened'), chartBox)),
    h('section', {'aria-labelledby': 'waiting-title'}, h('h3', {id: 'waiting-title'}, 'Metrics with the most measures waiting'), waitingBox),
    h('section', {'aria-labelledby': 'policies-title'}, h('h3', {id: 'policies-title'}, 'Archive policies'), policiesBox),
    h('section', {'aria-labelledby': 'rules-title'}, h('h3', {id: 'rules-title'}, 'Archive policy rules'), rulesBox));
  main.append(view);
  const chart = new LineChart(chartBox, {compact: true, height: 180, label: 'Measures waiting in the backlog over the last minutes'});

  /** One sample: backlog and the processed-measures counter, from /v1/status or (not admin) /metrics. */
  async function sample(signal) {
    try {
      const status = await get('v1/status', {query: {details: 'true'}, signal});
      const statistics = (status.metricd && status.metricd.statistics) || {};
      const processed = Object.values(statistics).reduce((n, s) => n + (s['processed measures'] || 0), 0);
      return {t: Date.now(), source: 'status', status, measures: status.storage.summary.measures, metrics: status.storage.summary.metrics,
        processed: status.metricd && status.metricd.processors ? processed : null};
    } catch (e) {
      if (isAbort(e) || !(e instanceof APIError && e.status === 403)) throw e;
      const [measures, metrics, processed] = await Promise.all(['stratus_backlog_measures', 'stratus_backlog_metrics',
        'stratus_metricd_processed_measures_total'].map((name) => prometheusValue(name, signal)));
      return {t: Date.now(), source: 'metrics', measures, metrics, processed};
    }
  }

  function rate() {
    const known = samples.filter((x) => x.processed !== null);
    if (known.length < 2) return null;
    const a = known[Math.max(0, known.length - 7)], b = known[known.length - 1];
    return {perSecond: (b.processed - a.processed) / ((b.t - a.t) / 1000), seconds: Math.round((b.t - a.t) / 1000)};
  }

  async function tick() {
    const signal = scope.signal;
    let current;
    try {
      current = await sample(signal);
    } catch (e) {
      if (!isAbort(e)) clear(backlogBox).append(h('p', {class: 'error-text', role: 'alert'}, `Cannot read the status: ${errorText(e)}`));
      return;
    }
    samples.push(current);
    while (samples.length > 120) samples.shift();
    const r = rate();
    const processors = current.status && current.status.metricd ? current.status.metricd.processors : undefined;
    clear(backlogBox).append(h('dl', {class: 'attributes'},
      h('dt', {}, 'Measures waiting'), h('dd', {id: 'backlog-measures'}, formatNumber(current.measures)),
      h('dt', {}, 'Metrics with measures waiting'), h('dd', {}, formatNumber(current.metrics)),
      h('dt', {}, 'metricd processing rate'), h('dd', {id: 'processing-rate'}, current.processed === null
        ? 'no metricd in this API process (run metricd beside it, or all-in-one)'
        : r === null ? 'measuring… (two samples 5 s apart)' : `${formatNumber(Math.round(r.perSecond * 10) / 10)} measures/s over the last ${formatDuration(r.seconds)}`),
      h('dt', {}, 'Processed since start'), h('dd', {}, current.processed === null ? '—' : formatNumber(current.processed)),
      processors !== undefined ? [h('dt', {}, 'Processors'), h('dd', {}, processors ? processors.join(', ') : 'none')] : null),
    current.source === 'metrics'
      ? h('p', {class: 'hint'}, 'Read from /metrics: /v1/status (with per-metric backlog) needs the admin role.') : '');
    const end = Date.now();
    chart.setData({start: Math.min(samples[0].t, end - 60e3), end,
      series: [{id: 'backlog', label: 'measures waiting', granularity: INTERVAL / 1000, points: samples.map((x) => [new Date(x.t).toISOString(), INTERVAL / 1000, x.measures])}]});
    renderWaiting(current);
  }

  function renderWaiting(current) {
    clear(waitingBox);
    if (!current.status) { waitingBox.append(h('p', {class: 'muted'}, 'Per-metric backlog needs the admin role.')); return; }
    const entries = Object.entries(current.status.storage.measures_to_process || {}).sort((a, b) => b[1] - a[1]).slice(0, 20);
    if (!entries.length) { waitingBox.append(h('p', {class: 'muted'}, 'No measures waiting: metricd is up to date.')); return; }
    waitingBox.append(h('table', {}, h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Metric'), h('th', {scope: 'col'}, 'Measures waiting'))),
      h('tbody', {}, entries.map(([id, n]) => h('tr', {}, h('td', {}, h('a', {href: `#/metrics?ids=${id}`, title: id}, shortId(id))), h('td', {class: 'num'}, String(n)))))));
  }

  async function loadPolicies() {
    try {
      const [policies, rules] = await Promise.all([get('v1/archive_policy', {signal: scope.signal}), get('v1/archive_policy_rule', {signal: scope.signal})]);
      policiesBox.append(h('div', {class: 'table-scroll'}, h('table', {id: 'archive-policies'},
        h('thead', {}, h('tr', {}, ['Name', 'Definition', 'Aggregation methods', 'Back window'].map((c) => h('th', {scope: 'col'}, c)))),
        h('tbody', {}, policies.map((p) => h('tr', {},
          h('td', {}, p.name),
          h('td', {}, (p.definition || []).map((d) => `${formatDuration(parseTimedelta(d.granularity))} × ${d.points} = ${formatDuration(parseTimedelta(d.timespan))}`).join('; ')),
          h('td', {}, (p.aggregation_methods || []).join(', ')), h('td', {class: 'num'}, String(p.back_window))))))));
      rulesBox.append(rules.length ? h('table', {}, h('thead', {}, h('tr', {}, ['Name', 'Metric pattern', 'Archive policy'].map((c) => h('th', {scope: 'col'}, c)))),
        h('tbody', {}, rules.map((r) => h('tr', {}, h('td', {}, r.name), h('td', {}, h('code', {}, r.metric_pattern)), h('td', {}, r.archive_policy_name)))))
        : h('p', {class: 'muted'}, 'No rules.'));
    } catch (e) {
      if (!isAbort(e)) policiesBox.append(h('p', {class: 'error-text', role: 'alert'}, `Cannot read archive policies: ${errorText(e)}`));
    }
  }

  tick();
  timer = setInterval(() => { if (!document.hidden) tick(); }, INTERVAL);
  loadPolicies();
  return () => { scope.dispose(); clearInterval(timer); chart.destroy(); };
}
