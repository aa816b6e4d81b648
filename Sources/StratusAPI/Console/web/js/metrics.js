// Metrics view: find metrics by name (/v1/metric) and by value (/v1/search/metric), chart their measures,
// show their archive policy and backlog, download what is shown as CSV.
import {APIError, get, getAll, measures, post, prometheusValue} from './api.js';
import {LineChart, PALETTE, dataTable} from './chart.js';
import {RangeBar} from './rangebar.js';
import {RequestScope, announce, clear, downloadCSV, errorText, formatDuration, formatNumber, h, isAbort, parseTimedelta,
  replaceParams, select, shortId} from './util.js';

const MAX_POINTS = 1500;
const REFRESH = [[0, 'Off'], [10, '10 s'], [30, '30 s'], [60, '1 min'], [300, '5 min']];

/** Granularities (seconds, ascending) of a metric's archive policy. */
export function granularities(metric) {
  const definition = (metric.archive_policy && metric.archive_policy.definition) || [];
  return definition.map((d) => parseTimedelta(d.granularity)).filter(Number.isFinite).sort((a, b) => a - b);
}

/** The granularity to read: the chosen one if the policy has it, else (auto) the finest giving ≤ MAX_POINTS. */
export function chooseGranularity(metric, choice, start, end) {
  const list = granularities(metric);
  if (choice !== 'auto') return list.includes(Number(choice)) ? Number(choice) : null;
  const span = (end - start) / 1000;
  return list.find((g) => span / g <= MAX_POINTS) ?? list[list.length - 1] ?? null;
}

/**
 * The aggregation to read: the chosen one if the policy has it; when the user has not chosen (the default mean),
 * the policy's mean, last or max, else its first method (the `bool` policy has only `last`).
 */
export function chooseAggregation(metric, wanted, explicit) {
  const methods = (metric.archive_policy && metric.archive_policy.aggregation_methods) || [];
  if (methods.includes(wanted)) return wanted;
  if (explicit) return null;
  return ['mean', 'last', 'max'].find((m) => methods.includes(m)) ?? methods[0] ?? null;
}

export function mount(main, route) {
  const params = route.params;
  const state = {
    ids: (params.get('ids') || '').split(',').filter(Boolean),
    granularity: params.get('g') || 'auto',
    aggregation: params.get('agg') || 'mean',
    aggregationExplicit: params.has('agg'),
    refresh: Number(params.get('refresh') || 0),
    normalize: params.get('scale') === 'independent',
  };
  const metrics = new Map();
  const scope = new RequestScope();
  const searchScope = new RequestScope();
  let allMetrics = null;
  let lastSeries = [];
  let timer = null;

  const view = h('section', {class: 'view view-metrics', 'aria-labelledby': 'metrics-title'});
  view.append(h('h2', {id: 'metrics-title'}, 'Metrics'));
  const layout = h('div', {class: 'split'});
  const aside = h('aside', {class: 'panel', 'aria-label': 'Find metrics'});
  const nameInput = h('input', {id: 'metric-search', type: 'search', placeholder: 'e.g. cpu', autocomplete: 'off'});
  const predicateInput = h('input', {id: 'metric-predicate', type: 'text', placeholder: '{">": 80}', autocomplete: 'off', spellcheck: 'false'});
  const results = h('div', {id: 'metric-results', 'aria-live': 'polite'});
  const form = h('form', {role: 'search', on: {submit: (e) => { e.preventDefault(); search(); }}},
    h('div', {class: 'field'}, h('label', {for: 'metric-search'}, 'Metric name contains'), nameInput),
    h('div', {class: 'field'}, h('label', {for: 'metric-predicate'}, 'Only metrics with points matching (optional)'), predicateInput,
      h('p', {class: 'hint', id: 'predicate-hint'}, 'A /v1/search/metric predicate over the current range, e.g. {">=": 90} or {"and": [{">": 1}, {"<": 5}]}')),
    h('button', {type: 'submit', class: 'primary'}, 'Search'));
  predicateInput.setAttribute('aria-describedby', 'predicate-hint');
  aside.append(h('h3', {}, 'Find metrics'), form, results);

  const content = h('div', {class: 'content'});
  const rangeBox = h('div');
  const toolbar = h('div', {class: 'toolbar'});
  const legend = h('ul', {class: 'legend', 'aria-label': 'Metrics on the chart'});
  const chartBox = h('div', {class: 'chart-box'});
  const tables = h('details', {class: 'tables'}, h('summary', {}, 'Data table of the chart'));
  const info = h('div', {class: 'cards', 'aria-label': 'Metric details'});
  content.append(rangeBox, toolbar, legend, chartBox,
    h('p', {class: 'hint'}, 'Drag across the chart to zoom in; shift-drag or ← → to move in time; + and - zoom with the keyboard.'),
    tables, info);
  layout.append(aside, content);
  view.append(layout);
  main.append(view);

  const rangebar = new RangeBar(rangeBox, {
    preset: params.get('range') || '1h', start: Number(params.get('start')), end: Number(params.get('end')),
  }, () => load());
  const chart = new LineChart(chartBox, {
    label: 'Measures of the selected metrics',
    onSelectRange: (a, b) => rangebar.custom(a, b),
    onPan: (delta) => rangebar.pan(delta),
    onZoomOut: () => rangebar.zoomOut(),
  });

  function saveParams() {
    const p = new URLSearchParams();
    if (state.ids.length) p.set('ids', state.ids.join(','));
    p.set('range', rangebar.state.preset);
    if (rangebar.state.preset === 'custom') { p.set('start', rangebar.state.start); p.set('end', rangebar.state.end); }
    if (state.granularity !== 'auto') p.set('g', state.granularity);
    if (state.aggregationExplicit) p.set('agg', state.aggregation);
    if (state.refresh) p.set('refresh', state.refresh);
    if (state.normalize) p.set('scale', 'independent');
    replaceParams('metrics', p);
  }

  function renderToolbar() {
    // Re-rendered after each load: keep the keyboard focus on the control the user was using.
    const focused = toolbar.contains(document.activeElement) ? document.activeElement.id : null;
    clear(toolbar);
    const known = state.ids.map((id) => metrics.get(id)).filter((m) => m && !m.error);
    const grans = [...new Set(known.flatMap(granularities))].sort((a, b) => a - b);
    const methods = [...new Set(known.flatMap((m) => (m.archive_policy && m.archive_policy.aggregation_methods) || []))].sort();
    if (!methods.includes(state.aggregation)) methods.unshift(state.aggregation);
    if (state.granularity !== 'auto' && !grans.includes(Number(state.granularity))) grans.push(Number(state.granularity));
    toolbar.append(
      select('granularity', 'Granularity', [['auto', 'Auto'], ...grans.map((g) => [g, formatDuration(g)])], state.granularity,
        (v) => { state.granularity = v; load(); }),
      select('aggregation', 'Aggregation', methods.map((m) => [m, m]), state.aggregation, (v) => {
        state.aggregation = v; state.aggregationExplicit = true; load();
      }),
      select('refresh', 'Auto-refresh', REFRESH, state.refresh, (v) => { state.refresh = Number(v); schedule(); saveParams(); }),
      h('div', {class: 'field check'}, h('input', {type: 'checkbox', id: 'normalize', checked: state.normalize, on: {change: (e) => {
        state.normalize = e.target.checked; saveParams(); chart.setData({...chart.data, normalize: state.normalize});
      }}}), h('label', {for: 'normalize', title: 'Each metric from its own minimum (0 %) to its maximum (100 %)'}, 'Independent scales')),
      h('button', {type: 'button', id: 'refresh-now', on: {click: () => load()}}, 'Refresh now'),
      h('button', {type: 'button', id: 'download-csv', disabled: !lastSeries.some((s) => s.points.length), on: {click: csv}}, 'Download CSV'));
    if (focused) document.getElementById(focused)?.focus();
  }

  function schedule() {
    if (timer) clearInterval(timer);
    timer = state.refresh ? setInterval(() => { if (!document.hidden) load(); }, state.refresh * 1000) : null;
  }

  function renderLegend(series) {
    clear(legend);
    series.forEach((s) => {
      const swatch = h('span', {class: 'swatch', 'aria-hidden': 'true'});
      swatch.style.background = s.color;
      legend.append(h('li', {dataset: {series: s.id}}, swatch,
        h('strong', {}, s.label), s.unit ? ` (${s.unit})` : '',
        s.error ? h('span', {class: 'error-text', role: 'alert'}, ` — ${s.error}`)
          : h('span', {class: 'muted'}, ` — ${s.points.length} points at ${formatDuration(s.granularity)}, ${s.aggregation}`),
        h('button', {type: 'button', class: 'link', 'aria-label': `Remove ${s.label} from the chart`, on: {click: () => toggle(s.id)}}, 'Remove')));
    });
  }

  async function load() {
    const signal = scope.renew();
    saveParams();
    const {start, end} = rangebar.range;
    if (!state.ids.length) {
      lastSeries = [];
      chart.setData({series: [], start, end, emptyText: 'Search for a metric and add it to the chart'});
      renderToolbar(); renderLegend([]); clear(info);
      tables.querySelector('.data-tables')?.remove();
      return;
    }
    chartBox.setAttribute('aria-busy', 'true');
    announce('Loading measures…');
    try {
      await Promise.all(state.ids.filter((id) => !metrics.has(id)).map((id) =>
        get(`v1/metric/${encodeURIComponent(id)}`, {signal}).then((m) => metrics.set(id, m), (e) => {
          if (isAbort(e)) throw e;
          metrics.set(id, {id, error: e});
        })));
      const series = await Promise.all(state.ids.map(async (id, i) => {
        const m = metrics.get(id);
        const base = {id, label: m.name || shortId(id), unit: m.unit, color: PALETTE[i % PALETTE.length], points: []};
        if (m.error) return {...base, error: errorText(m.error)};
        const granularity = chooseGranularity(m, state.granularity, start, end);
        if (granularity === null) return {...base, error: `its archive policy has no ${formatDuration(Number(state.granularity))} granularity`};
        const aggregation = chooseAggregation(m, state.aggregation, state.aggregationExplicit);
        if (aggregation === null) return {...base, error: `its archive policy has no ${state.aggregation} aggregation`};
        try {
          const points = await measures(id, {start, stop: end, granularity, aggregation, signal});
          return {...base, granularity, aggregation, points};
        } catch (e) {
          if (isAbort(e)) throw e;
          return {...base, granularity, error: errorText(e)};
        }
      }));
      lastSeries = series;
      chart.setData({series, start, end, normalize: state.normalize});
      renderToolbar();
      renderLegend(series);
      tables.querySelector('.data-tables')?.remove();
      tables.append(dataTable(series));
      const total = series.reduce((n, s) => n + s.points.length, 0);
      announce(`Loaded ${total} points of ${series.length} metric${series.length === 1 ? '' : 's'}`);
      renderInfo(signal);
    } catch (e) {
      if (!isAbort(e)) announce(`Could not load measures: ${errorText(e)}`);
    } finally {
      if (!signal.aborted) chartBox.removeAttribute('aria-busy');
    }
  }

  async function renderInfo(signal) {
    clear(info);
    const backlogCells = new Map();
    for (const id of state.ids) {
      const m = metrics.get(id);
      if (!m || m.error) continue;
      const policy = m.archive_policy || {};
      const backlog = h('dd', {class: 'backlog'}, '…');
      backlogCells.set(id, backlog);
      info.append(h('article', {class: 'card', dataset: {metric: id}},
        h('h3', {}, m.name || shortId(id)),
        h('dl', {},
          h('dt', {}, 'Id'), h('dd', {}, h('code', {}, id)),
          h('dt', {}, 'Unit'), h('dd', {}, m.unit || '—'),
          h('dt', {}, 'Creator'), h('dd', {}, m.creator || '—'),
          h('dt', {}, 'Resource'), h('dd', {}, m.resource && m.resource.id
            ? h('a', {href: `#/resource/${encodeURIComponent(m.resource.type || 'generic')}/${encodeURIComponent(m.resource.id)}`}, m.resource.original_resource_id || m.resource.id)
            : '—'),
          h('dt', {}, 'Archive policy'), h('dd', {}, policy.name || '—'),
          h('dt', {}, 'Aggregations'), h('dd', {}, (policy.aggregation_methods || []).join(', ')),
          h('dt', {}, 'Back window'), h('dd', {}, String(policy.back_window ?? '—')),
          h('dt', {}, 'Measures waiting'), backlog),
        h('table', {class: 'compact'},
          h('caption', {}, 'Archive policy definition'),
          h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Granularity'), h('th', {scope: 'col'}, 'Points'), h('th', {scope: 'col'}, 'Timespan'))),
          h('tbody', {}, (policy.definition || []).map((d) => h('tr', {},
            h('td', {}, formatDuration(parseTimedelta(d.granularity))), h('td', {class: 'num'}, String(d.points)),
            h('td', {}, formatDuration(parseTimedelta(d.timespan)))))))));
    }
    if (!backlogCells.size) return;
    try {
      const status = await get('v1/status', {query: {details: 'true'}, signal});
      const waiting = (status.storage && status.storage.measures_to_process) || {};
      for (const [id, cell] of backlogCells) {
        const n = waiting[id] || 0;
        cell.textContent = n ? `${n} (not aggregated by metricd yet)` : '0 (metricd is up to date)';
      }
    } catch (e) {
      if (isAbort(e)) return;
      // /v1/status is for admins; /metrics (no auth) has the global backlog only.
      let global = null;
      try { global = await prometheusValue('stratus_backlog_measures', signal); } catch (inner) { if (isAbort(inner)) return; }
      const why = e instanceof APIError && e.status === 403 ? 'per-metric backlog needs the admin role' : `status unavailable: ${errorText(e)}`;
      for (const cell of backlogCells.values()) {
        cell.textContent = global === null ? `unknown (${why})` : `${formatNumber(global)} measures waiting for all metrics (${why})`;
      }
    }
  }

  function toggle(id) {
    state.ids = state.ids.includes(id) ? state.ids.filter((x) => x !== id) : [...state.ids, id];
    load();
    markResults();
  }

  function markResults() {
    for (const button of results.querySelectorAll('button[data-metric]')) {
      button.setAttribute('aria-pressed', String(state.ids.includes(button.dataset.metric)));
    }
  }

  async function search() {
    const signal = searchScope.renew();
    clear(results).append(h('p', {class: 'muted'}, 'Searching…'));
    try {
      if (!allMetrics) allMetrics = await getAll('v1/metric', {query: {limit: 1000, sort: 'name:asc'}, signal});
      const text = nameInput.value.trim().toLowerCase();
      let found = allMetrics.filter((m) => !text || (m.name || '').toLowerCase().includes(text) || m.id.startsWith(text));
      let counts = null;
      const predicateText = predicateInput.value.trim();
      if (predicateText && found.length) {
        let predicate;
        try { predicate = JSON.parse(predicateText); } catch {
          clear(results).append(h('p', {class: 'error-text', role: 'alert'}, 'The value filter must be JSON, for example {">": 80}.'));
          return;
        }
        const {start, end} = rangebar.range;
        found = found.slice(0, 100);
        counts = await post('v1/search/metric', predicate, {signal, query: {
          metric_id: found.map((m) => m.id), start: new Date(start).toISOString(), stop: new Date(end).toISOString(),
          aggregation: state.aggregation,
        }});
        found = found.filter((m) => (counts[m.id] || []).length > 0);
      }
      clear(results);
      results.append(h('p', {class: 'muted'}, `${found.length} metric${found.length === 1 ? '' : 's'}${found.length > 200 ? ', the first 200 shown' : ''}`));
      const list = h('ul', {class: 'results'});
      for (const m of found.slice(0, 200)) {
        list.append(h('li', {},
          h('button', {type: 'button', class: 'result', 'aria-pressed': String(state.ids.includes(m.id)), dataset: {metric: m.id},
            title: 'Add to or remove from the chart', on: {click: () => toggle(m.id)}},
            h('span', {class: 'name'}, m.name || '(no name)'),
            h('span', {class: 'muted'}, [m.unit, m.archive_policy && m.archive_policy.name, shortId(m.id)].filter(Boolean).join(' · ')),
            counts ? h('span', {class: 'badge'}, `${counts[m.id].length} matching points`) : '')));
      }
      results.append(list);
    } catch (e) {
      if (!isAbort(e)) clear(results).append(h('p', {class: 'error-text', role: 'alert'}, `Search failed: ${errorText(e)}`));
    }
  }

  function csv() {
    const rows = [['metric_id', 'metric_name', 'unit', 'aggregation', 'timestamp', 'granularity', 'value']];
    for (const s of lastSeries) for (const p of s.points) rows.push([s.id, s.label, s.unit || '', s.aggregation, p[0], p[1], p[2]]);
    downloadCSV(`stratus-measures-${new Date().toISOString().replace(/[:.]/g, '-')}.csv`, rows);
  }

  renderToolbar();
  schedule();
  load();
  search();
  return () => { scope.dispose(); searchScope.dispose(); if (timer) clearInterval(timer); chart.destroy(); };
}
