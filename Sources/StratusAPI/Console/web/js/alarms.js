// Alarms view (Aodh /v2): the list with state and severity; one alarm's rule, its transitions drawn on the chart of
// the metric it watches with the threshold line, enable/disable and a state reset.
import {APIError, get, request} from './api.js';
import {LineChart, PALETTE, dataTable} from './chart.js';
import {RangeBar} from './rangebar.js';
import {PRESETS, RequestScope, announce, clear, errorText, formatDuration, formatTime, h, isAbort, replaceParams, select, shortId} from './util.js';

const STATES = ['alarm', 'ok', 'insufficient data'];
const SEVERITIES = ['critical', 'moderate', 'low'];
const OPERATORS = {lt: '<', le: '≤', eq: '=', ne: '≠', ge: '≥', gt: '>'};

/** Aodh prints naive UTC timestamps ("2026-01-01T12:00:00.123456"): read them as UTC. */
export function parseAodhTime(text) {
  if (!text) return NaN;
  const s = String(text);
  return Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : s + 'Z');
}

function stateBadge(state) {
  return h('span', {class: `badge state-${String(state).replace(/\s+/g, '-')}`}, state);
}

function unavailable(error) {
  if (error instanceof APIError && (error.status === 404 || error.status === 405)) {
    return h('div', {class: 'notice', role: 'status', id: 'alarms-unavailable'},
      h('strong', {}, 'The alarm API is not available on this server. '),
      `GET /v2/alarms answered ${error.status}: this Stratus runs without the Aodh-compatible /v2 API, so there are no alarms to show.`);
  }
  return h('p', {class: 'error-text', role: 'alert'}, `Cannot read alarms: ${errorText(error)}`);
}

export function mount(main, route) {
  const params = route.params;
  const state = {state: params.get('state') || '', severity: params.get('severity') || ''};
  const scope = new RequestScope();
  let alarms = null;
  const view = h('section', {class: 'view', 'aria-labelledby': 'alarms-title'});
  const filters = h('div', {class: 'toolbar'});
  const body = h('div', {'aria-live': 'polite'});
  view.append(h('h2', {id: 'alarms-title'}, 'Alarms'), filters, body);
  main.append(view);

  function renderFilters() {
    clear(filters).append(
      select('alarm-state', 'State', [['', 'Any'], ...STATES.map((s) => [s, s])], state.state, (v) => { state.state = v; renderList(); }),
      select('alarm-severity', 'Severity', [['', 'Any'], ...SEVERITIES.map((s) => [s, s])], state.severity, (v) => { state.severity = v; renderList(); }),
      h('button', {type: 'button', on: {click: load}}, 'Refresh'));
  }

  function renderList() {
    const p = new URLSearchParams();
    if (state.state) p.set('state', state.state);
    if (state.severity) p.set('severity', state.severity);
    replaceParams('alarms', p);
    if (!alarms) return;
    clear(body);
    const shown = alarms.filter((a) => (!state.state || a.state === state.state) && (!state.severity || a.severity === state.severity));
    const counts = STATES.map((s) => `${alarms.filter((a) => a.state === s).length} ${s}`).join(', ');
    body.append(h('p', {class: 'muted'}, `${alarms.length} alarm${alarms.length === 1 ? '' : 's'} (${counts}); ${shown.length} shown`));
    if (!shown.length) return;
    const order = (a) => [STATES.indexOf(a.state), SEVERITIES.indexOf(a.severity), a.name];
    shown.sort((a, b) => { const x = order(a), y = order(b); return x[0] - y[0] || x[1] - y[1] || String(x[2]).localeCompare(String(y[2])); });
    body.append(h('div', {class: 'table-scroll'}, h('table', {id: 'alarm-table'},
      h('thead', {}, h('tr', {}, ['Name', 'State', 'Severity', 'Type', 'Enabled', 'State since'].map((c) => h('th', {scope: 'col'}, c)))),
      h('tbody', {}, shown.map((a) => h('tr', {dataset: {alarm: a.alarm_id}},
        h('td', {}, h('a', {href: `#/alarm/${encodeURIComponent(a.alarm_id)}`}, a.name)),
        h('td', {}, stateBadge(a.state)), h('td', {}, h('span', {class: `badge severity-${a.severity}`}, a.severity)),
        h('td', {}, a.type), h('td', {}, a.enabled ? 'yes' : 'no'),
        h('td', {}, a.state_timestamp ? formatTime(parseAodhTime(a.state_timestamp)) : '—')))))));
  }

  async function load() {
    const signal = scope.renew();
    clear(body).append(h('p', {class: 'muted'}, 'Loading alarms…'));
    try {
      alarms = await get('v2/alarms', {signal});
      renderList();
      announce(`${alarms.length} alarms`);
    } catch (e) {
      if (!isAbort(e)) clear(body).append(unavailable(e));
    }
  }

  renderFilters();
  load();
  return () => scope.dispose();
}

/** The rule object of an alarm: `<type>_rule`, or the only `*_rule` key. */
export function ruleOf(alarm) {
  return alarm[`${alarm.type}_rule`] || Object.entries(alarm).find(([k, v]) => k.endsWith('_rule') && v && typeof v === 'object')?.[1] || {};
}

/** One alarm: #/alarm/{id}. */
export function mountAlarm(main, route) {
  const [, id] = route.path;
  const scope = new RequestScope();
  const chartScope = new RequestScope();
  let alarm = null;
  let history = [];
  const view = h('section', {class: 'view', 'aria-labelledby': 'alarm-title'});
  const title = h('h2', {id: 'alarm-title'}, `Alarm ${shortId(id)}`);
  const summary = h('div', {class: 'panel'});
  const actions = h('div', {class: 'toolbar', role: 'group', 'aria-label': 'Alarm actions'});
  const ruleBox = h('div', {class: 'panel'});
  const chartSection = h('section', {'aria-labelledby': 'alarm-chart-title'});
  const historyBox = h('div');
  view.append(h('p', {}, h('a', {href: '#/alarms'}, '← Alarms')), title, actions,
    h('div', {class: 'columns'}, h('section', {'aria-label': 'Summary'}, summary),
      h('section', {'aria-labelledby': 'alarm-rule-title'}, h('h3', {id: 'alarm-rule-title'}, 'Rule'), ruleBox)),
    chartSection,
    h('section', {'aria-labelledby': 'alarm-history-title'}, h('h3', {id: 'alarm-history-title'}, 'History'), historyBox));
  main.append(view);

  const chartHolder = h('div', {class: 'chart-box'});
  const chartNote = h('p', {class: 'muted', id: 'alarm-chart-note'});
  const tables = h('details', {class: 'tables'}, h('summary', {}, 'Data table of the chart'));
  const rangeBox = h('div');
  chartSection.append(h('h3', {id: 'alarm-chart-title'}, 'Watched metric and transitions'), rangeBox, chartNote, chartHolder, tables);
  let fitted = false;
  const rangebar = new RangeBar(rangeBox, {preset: route.params.get('range') || '1h'}, () => drawChart());
  const chart = new LineChart(chartHolder, {
    label: 'Measures the alarm watches, its threshold and its state transitions',
    onSelectRange: (a, b) => rangebar.custom(a, b), onPan: (d) => rangebar.pan(d), onZoomOut: () => rangebar.zoomOut(),
  });

  async function load() {
    const signal = scope.renew();
    try {
      alarm = await get(`v2/alarms/${encodeURIComponent(id)}`, {signal});
    } catch (e) {
      if (!isAbort(e)) { clear(summary).append(unavailable(e)); chartSection.hidden = true; }
      return;
    }
    try {
      history = await get(`v2/alarms/${encodeURIComponent(id)}/history`, {signal}) || [];
    } catch (e) {
      if (isAbort(e)) return;
      history = [];
      clear(historyBox).append(h('p', {class: 'error-text', role: 'alert'}, `Cannot read the history: ${errorText(e)}`));
    }
    if (!fitted && !route.params.get('range')) {
      // First view: the smallest preset that holds every transition (at least 1 h).
      fitted = true;
      const oldest = Math.min(Date.now(), ...transitions().map((x) => x.t));
      const age = (Date.now() - oldest) * 1.1;
      const preset = PRESETS.find(([, span]) => span >= age) || PRESETS[PRESETS.length - 1];
      rangebar.state.preset = preset[0];
      rangebar.render();
    }
    render();
    drawChart();
  }

  function transitions() {
    return history.filter((c) => c.type === 'state transition').map((c) => {
      let detail = {};
      try { detail = typeof c.detail === 'string' ? JSON.parse(c.detail) : (c.detail || {}); } catch { detail = {}; }
      return {t: parseAodhTime(c.timestamp), state: detail.state, reason: detail.transition_reason || detail.state_reason || ''};
    }).filter((x) => Number.isFinite(x.t) && x.state);
  }

  function render() {
    title.textContent = `Alarm ${alarm.name}`;
    const list = (xs) => (xs && xs.length ? xs.join(', ') : '—');
    clear(summary).append(h('dl', {class: 'attributes', id: 'alarm-summary'},
      h('dt', {}, 'State'), h('dd', {}, stateBadge(alarm.state)),
      h('dt', {}, 'Reason'), h('dd', {}, alarm.state_reason || '—'),
      h('dt', {}, 'Since'), h('dd', {}, alarm.state_timestamp ? formatTime(parseAodhTime(alarm.state_timestamp)) : '—'),
      h('dt', {}, 'Severity'), h('dd', {}, h('span', {class: `badge severity-${alarm.severity}`}, alarm.severity)),
      h('dt', {}, 'Enabled'), h('dd', {id: 'alarm-enabled'}, alarm.enabled ? 'yes' : 'no'),
      h('dt', {}, 'Type'), h('dd', {}, alarm.type),
      h('dt', {}, 'Description'), h('dd', {}, alarm.description || '—'),
      h('dt', {}, 'Id'), h('dd', {}, h('code', {}, alarm.alarm_id)),
      h('dt', {}, 'Project / user'), h('dd', {}, `${alarm.project_id || '—'} / ${alarm.user_id || '—'}`),
      h('dt', {}, 'Alarm actions'), h('dd', {}, list(alarm.alarm_actions)),
      h('dt', {}, 'OK actions'), h('dd', {}, list(alarm.ok_actions)),
      h('dt', {}, 'Insufficient data actions'), h('dd', {}, list(alarm.insufficient_data_actions)),
      h('dt', {}, 'Repeat actions'), h('dd', {}, alarm.repeat_actions ? 'yes' : 'no'),
      h('dt', {}, 'Time constraints'), h('dd', {}, (alarm.time_constraints || []).map((c) => `${c.name}: ${c.start} for ${formatDuration(c.duration)}${c.timezone ? ` (${c.timezone})` : ''}`).join('; ') || '—')));
    const rule = ruleOf(alarm);
    clear(ruleBox).append(h('dl', {class: 'attributes', id: 'alarm-rule'}, Object.keys(rule).sort().flatMap((k) =>
      [h('dt', {}, k), h('dd', {}, typeof rule[k] === 'object' ? h('code', {}, JSON.stringify(rule[k])) : String(rule[k]))])));
    if ('threshold' in rule) {
      ruleBox.append(h('p', {}, 'Alarm when ', h('strong', {}, `${rule.aggregation_method || 'value'} ${OPERATORS[rule.comparison_operator] || rule.comparison_operator} ${rule.threshold}`),
        ` for ${rule.evaluation_periods || 1} period${(rule.evaluation_periods || 1) === 1 ? '' : 's'} of ${formatDuration(rule.granularity || 60)}.`));
    }
    clear(actions).append(
      h('button', {type: 'button', id: 'alarm-toggle', on: {click: toggleEnabled}}, alarm.enabled ? 'Disable' : 'Enable'),
      h('button', {type: 'button', id: 'alarm-reset', on: {click: resetState}}, 'Reset state to insufficient data'));
    renderHistory();
  }

  function renderHistory() {
    clear(historyBox);
    if (!history.length) { historyBox.append(h('p', {class: 'muted'}, 'No history.')); return; }
    historyBox.append(h('div', {class: 'table-scroll'}, h('table', {id: 'alarm-history'},
      h('caption', {}, `${history.length} change${history.length === 1 ? '' : 's'}, newest first`),
      h('thead', {}, h('tr', {}, ['Time', 'Change', 'Detail', 'By'].map((c) => h('th', {scope: 'col'}, c)))),
      h('tbody', {}, history.map((c) => {
        let detail = c.detail;
        try { detail = typeof c.detail === 'string' ? JSON.parse(c.detail) : c.detail; } catch { /* shown as text */ }
        const text = detail && typeof detail === 'object' && detail.state
          ? h('span', {}, stateBadge(detail.state), ' ', detail.transition_reason || detail.state_reason || '')
          : h('code', {class: 'wrap'}, typeof detail === 'string' ? detail : JSON.stringify(detail));
        return h('tr', {}, h('td', {}, formatTime(parseAodhTime(c.timestamp))), h('td', {}, c.type), h('td', {}, text),
          h('td', {}, c.user_id || c.on_behalf_of || '—'));
      })))));
  }

  async function toggleEnabled() {
    const body = {...alarm, enabled: !alarm.enabled};
    try {
      alarm = await request('PUT', `v2/alarms/${encodeURIComponent(id)}`, {body}).then((r) => r.json || body);
      announce(alarm.enabled ? 'Alarm enabled' : 'Alarm disabled');
      await load();
    } catch (e) {
      announce(`Cannot update the alarm: ${errorText(e)}`);
    }
  }

  async function resetState() {
    try {
      await request('PUT', `v2/alarms/${encodeURIComponent(id)}/state`, {body: 'insufficient data'});
      announce('Alarm state reset to insufficient data');
      await load();
    } catch (e) {
      announce(`Cannot reset the state: ${errorText(e)}`);
    }
  }

  /** The series the rule watches, each with a `read(signal, start, end)` giving its points, or a reason why there is none. */
  function watched(rule) {
    const granularity = rule.granularity || 60;
    const aggregation = rule.aggregation_method || 'mean';
    const window = (start, end) => ({granularity, start: new Date(start).toISOString(), stop: new Date(end).toISOString()});
    if (alarm.type === 'gnocchi_resources_threshold' && rule.resource_id && rule.metric) {
      const path = `v1/resource/generic/${encodeURIComponent(rule.resource_id)}/metric/${encodeURIComponent(rule.metric)}/measures`;
      return {series: [{id: `${rule.resource_id}/${rule.metric}`, label: `${rule.metric} of ${shortId(rule.resource_id)}`,
        read: (signal, start, end) => get(path, {signal, query: {...window(start, end), aggregation}})}]};
    }
    if (alarm.type === 'gnocchi_aggregation_by_metrics_threshold' && Array.isArray(rule.metrics)) {
      return {series: rule.metrics.map((m) => ({id: m, label: `metric ${shortId(m)}`,
        read: (signal, start, end) => get(`v1/metric/${encodeURIComponent(m)}/measures`, {signal, query: {...window(start, end), aggregation}})}))};
    }
    if (alarm.type === 'gnocchi_aggregation_by_resources_threshold' && rule.metric && rule.resource_type) {
      // What the evaluator reads: the metric of every matching resource, aggregated across them (/v1/aggregates).
      let search = {};
      try { search = typeof rule.query === 'string' ? JSON.parse(rule.query || '{}') : (rule.query || {}); } catch { search = {}; }
      const inner = aggregation.replace(/^rate:/, '');
      return {series: [{id: `${rule.resource_type}/${rule.metric}`, label: `${aggregation} of ${rule.metric} over matching ${rule.resource_type} resources`,
        read: async (signal, start, end) => {
          const reply = await request('POST', 'v1/aggregates', {signal, query: {...window(start, end), needed_overlap: 0},
            body: {operations: ['aggregate', aggregation, ['metric', rule.metric, inner]], search, resource_type: rule.resource_type}});
          return (reply.json && reply.json.measures && reply.json.measures.aggregated) || [];
        }}]};
    }
    return {reason: `There is no chart for ${alarm.type} alarms: only the threshold rules on Gnocchi metrics are drawn.`};
  }

  async function drawChart() {
    if (!alarm) return;
    const signal = chartScope.renew();
    const {start, end} = rangebar.range;
    replaceParams(`alarm/${encodeURIComponent(id)}`, new URLSearchParams({range: rangebar.state.preset}));
    const rule = ruleOf(alarm);
    const marks = transitions().map((x) => ({t: x.t, label: x.state, title: x.reason, className: `state-${x.state.replace(/\s+/g, '-')}`}));
    const thresholds = Number.isFinite(Number(rule.threshold)) && rule.threshold !== null
      ? [{value: Number(rule.threshold), label: `threshold ${OPERATORS[rule.comparison_operator] || ''} ${rule.threshold}`}] : [];
    const target = watched(rule);
    if (!target.series) {
      chartNote.textContent = target.reason;
      chart.setData({series: [], start, end, markers: marks, thresholds, emptyText: 'No chart for this rule type'});
      return;
    }
    chartNote.textContent = `${rule.aggregation_method || 'mean'} at ${formatDuration(rule.granularity || 60)}; vertical lines are state transitions.`;
    chartHolder.setAttribute('aria-busy', 'true');
    const series = await Promise.all(target.series.map(async (s, i) => {
      try {
        const points = await s.read(signal, start, end);
        return {id: s.id, label: s.label, granularity: rule.granularity || 60, aggregation: rule.aggregation_method || 'mean',
          color: PALETTE[i % PALETTE.length], points};
      } catch (e) {
        if (isAbort(e)) return null;
        return {id: s.id, label: s.label, color: PALETTE[i % PALETTE.length], points: [], error: errorText(e)};
      }
    }));
    if (signal.aborted) return;
    chartHolder.removeAttribute('aria-busy');
    const errors = series.filter((s) => s.error).map((s) => `${s.label}: ${s.error}`);
    if (errors.length) chartNote.textContent += ` ${errors.join('; ')}`;
    chart.setData({series, start, end, markers: marks, thresholds});
    tables.querySelector('.data-tables')?.remove();
    tables.append(dataTable(series));
  }

  load();
  return () => { scope.dispose(); chartScope.dispose(); chart.destroy(); };
}
