// Resources view: search by type and attributes (the /v1/search language), then one resource's attributes, its
// revision history and its metrics as small charts.
import {get, getAll, measures, request} from './api.js';
import {LineChart, PALETTE} from './chart.js';
import {chooseAggregation, chooseGranularity} from './metrics.js';
import {RequestScope, announce, clear, errorText, formatTime, h, isAbort, replaceParams, select, shortId} from './util.js';

const BASE_FIELDS = ['id', 'original_resource_id', 'type', 'creator', 'created_by_user_id', 'created_by_project_id', 'user_id',
  'project_id', 'started_at', 'ended_at', 'revision_start', 'revision_end'];
const HIDDEN_IN_HISTORY = new Set(['revision_start', 'revision_end', 'metrics', 'creator', 'created_by_user_id', 'created_by_project_id', 'type', 'id']);

function resourceHref(r) { return `#/resource/${encodeURIComponent(r.type || 'generic')}/${encodeURIComponent(r.id)}`; }

function valueText(v) {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function mount(main, route) {
  const params = route.params;
  const state = {type: params.get('type') || 'generic', q: params.get('q') || '', history: params.get('history') === 'true'};
  const scope = new RequestScope();
  const view = h('section', {class: 'view', 'aria-labelledby': 'resources-title'});
  const typeBox = h('div');
  const queryInput = h('input', {id: 'resource-query', type: 'text', value: state.q, autocomplete: 'off', spellcheck: 'false',
    placeholder: "host = 'compute-1' and ended_at = null", 'aria-describedby': 'resource-query-hint'});
  const historyBox = h('input', {id: 'resource-history', type: 'checkbox', checked: state.history});
  const results = h('div', {'aria-live': 'polite'});
  const form = h('form', {role: 'search', class: 'toolbar', on: {submit: (e) => { e.preventDefault(); state.q = queryInput.value.trim(); state.history = historyBox.checked; search(); }}},
    typeBox,
    h('div', {class: 'field grow'}, h('label', {for: 'resource-query'}, 'Attributes (search filter or JSON query)'), queryInput),
    h('div', {class: 'field check'}, historyBox, h('label', {for: 'resource-history'}, 'Every revision')),
    h('button', {type: 'submit', class: 'primary'}, 'Search'));
  view.append(h('h2', {id: 'resources-title'}, 'Resources'), form,
    h('p', {class: 'hint', id: 'resource-query-hint'},
      "Filter language of /v1/search/resource: host = 'compute-1', flavor_name in ['m1.small', 'm1.large'], started_at > '-1 day', not ended_at != null. Or a JSON query: {\"=\": {\"host\": \"compute-1\"}}."),
    results);
  main.append(view);

  function renderTypes(types) {
    clear(typeBox).append(select('resource-type', 'Type', types.map((t) => [t.name, t.name]), state.type, (v) => { state.type = v; search(); }));
  }

  async function search() {
    const signal = scope.renew();
    const p = new URLSearchParams({type: state.type});
    if (state.q) p.set('q', state.q);
    if (state.history) p.set('history', 'true');
    replaceParams('resources', p);
    clear(results).append(h('p', {class: 'muted'}, 'Searching…'));
    const query = {details: 'true', limit: 200, history: state.history ? 'true' : undefined, sort: 'revision_start:desc'};
    let body;
    if (state.q.startsWith('{')) {
      try { body = JSON.parse(state.q); } catch {
        clear(results).append(h('p', {class: 'error-text', role: 'alert'}, 'The query starts with "{" but is not valid JSON.'));
        return;
      }
    } else if (state.q) {
      query.filter = state.q;
    }
    try {
      const reply = await request('POST', `v1/search/resource/${encodeURIComponent(state.type)}`, {query, body, signal});
      renderResults(reply.json || []);
      announce(`${(reply.json || []).length} resources found`);
    } catch (e) {
      if (!isAbort(e)) clear(results).append(h('p', {class: 'error-text', role: 'alert'}, `Search failed: ${errorText(e)}`));
    }
  }

  function renderResults(list) {
    clear(results);
    // The type's own attributes that are set on the most rows, at most four columns.
    const filled = new Map();
    for (const r of list) {
      for (const [k, v] of Object.entries(r)) {
        if (!BASE_FIELDS.includes(k) && k !== 'metrics' && k !== 'revision' && v !== null && v !== '') filled.set(k, (filled.get(k) || 0) + 1);
      }
    }
    const extra = [...filled.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 4).map(([k]) => k);
    results.append(h('p', {class: 'muted'}, `${list.length} resource${list.length === 1 ? '' : 's'}${list.length === 200 ? ' (the first 200)' : ''}`));
    if (!list.length) return;
    results.append(h('div', {class: 'table-scroll'}, h('table', {id: 'resource-table'},
      h('thead', {}, h('tr', {}, ['Resource', 'Type', 'Project', ...extra, 'Started', 'Ended', 'Metrics'].map((c) => h('th', {scope: 'col'}, c)))),
      h('tbody', {}, list.map((r) => h('tr', {dataset: {resource: r.id}},
        h('td', {}, h('a', {href: resourceHref(r), title: r.id}, r.original_resource_id || r.id)),
        h('td', {}, r.type), h('td', {}, valueText(r.project_id)),
        extra.map((k) => h('td', {}, valueText(r[k]))),
        h('td', {}, r.started_at ? formatTime(Date.parse(r.started_at)) : '—'),
        h('td', {}, r.ended_at ? formatTime(Date.parse(r.ended_at)) : '—'),
        h('td', {class: 'num'}, String(Object.keys(r.metrics || {}).length))))))));
  }

  (async () => {
    try {
      renderTypes(await get('v1/resource_type', {signal: scope.signal}));
    } catch (e) {
      if (!isAbort(e)) renderTypes([{name: state.type}]);
    }
    search();
  })();
  return () => scope.dispose();
}

/** One resource: #/resource/{type}/{id}. */
export function mountResource(main, route) {
  const [, type, id] = route.path;
  const scope = new RequestScope();
  const charts = [];
  const view = h('section', {class: 'view', 'aria-labelledby': 'resource-title'});
  const title = h('h2', {id: 'resource-title'}, `Resource ${shortId(id)}`);
  const attributes = h('div', {class: 'panel'});
  const metricsBox = h('div', {class: 'small-charts'});
  const historyBox = h('div', {class: 'panel'});
  view.append(h('p', {}, h('a', {href: `#/resources?type=${encodeURIComponent(type)}`}, '← Resources')), title,
    h('section', {'aria-labelledby': 'resource-metrics-title'}, h('h3', {id: 'resource-metrics-title'}, 'Metrics (up to the last 24 hours)'), metricsBox),
    h('div', {class: 'columns'}, h('section', {'aria-labelledby': 'resource-attributes'}, h('h3', {id: 'resource-attributes'}, 'Attributes'), attributes),
      h('section', {'aria-labelledby': 'resource-history-title'}, h('h3', {id: 'resource-history-title'}, 'History'), historyBox)));
  main.append(view);

  (async () => {
    const signal = scope.signal;
    let resource;
    try {
      resource = await get(`v1/resource/${encodeURIComponent(type)}/${encodeURIComponent(id)}`, {signal});
    } catch (e) {
      if (!isAbort(e)) attributes.append(h('p', {class: 'error-text', role: 'alert'}, `Cannot read the resource: ${errorText(e)}`));
      return;
    }
    title.textContent = `${resource.type} ${resource.original_resource_id || resource.id}`;
    const keys = [...BASE_FIELDS.filter((k) => k in resource), ...Object.keys(resource).filter((k) => !BASE_FIELDS.includes(k) && k !== 'metrics').sort()];
    attributes.append(h('dl', {class: 'attributes', id: 'resource-attributes-list'}, keys.flatMap((k) => [h('dt', {}, k), h('dd', {}, valueText(resource[k]))])));
    renderMetrics(resource, signal);
    try {
      const history = await getAll(`v1/resource/${encodeURIComponent(resource.type)}/${encodeURIComponent(resource.id)}/history`, {signal, query: {details: 'true'}});
      renderHistory(history);
    } catch (e) {
      if (!isAbort(e)) historyBox.append(h('p', {class: 'error-text', role: 'alert'}, `Cannot read the history: ${errorText(e)}`));
    }
  })();

  function renderHistory(revisions) {
    if (!revisions.length) { historyBox.append(h('p', {class: 'muted'}, 'No revisions.')); return; }
    const rows = [];
    revisions.forEach((rev, i) => {
      const previous = revisions[i - 1];
      const changed = Object.keys(rev).filter((k) => !HIDDEN_IN_HISTORY.has(k) && (!previous || JSON.stringify(previous[k]) !== JSON.stringify(rev[k])));
      rows.push(h('tr', {},
        h('td', {}, formatTime(Date.parse(rev.revision_start))),
        h('td', {}, rev.revision_end ? formatTime(Date.parse(rev.revision_end)) : 'current'),
        h('td', {}, i === 0 ? 'created' : changed.length ? changed.map((k) => `${k}: ${valueText(previous[k])} → ${valueText(rev[k])}`).join('; ') : 'no attribute change')));
    });
    historyBox.append(h('table', {id: 'resource-history'},
      h('caption', {}, `${revisions.length} revision${revisions.length === 1 ? '' : 's'}, oldest first`),
      h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'From'), h('th', {scope: 'col'}, 'Until'), h('th', {scope: 'col'}, 'Changes'))),
      h('tbody', {}, rows)));
  }

  async function renderMetrics(resource, signal) {
    const entries = Object.entries(resource.metrics || {}).sort(([a], [b]) => a.localeCompare(b));
    if (!entries.length) { metricsBox.append(h('p', {class: 'muted'}, 'This resource has no metrics.')); return; }
    metricsBox.append(h('p', {}, h('a', {href: `#/metrics?ids=${entries.map(([, mid]) => mid).join(',')}&range=24h`}, 'Open all in the metrics view')));
    const end = Date.now(), start = end - 86400e3;
    await Promise.all(entries.map(async ([name, metricId], i) => {
      const card = h('article', {class: 'card small', dataset: {metric: metricId}},
        h('h4', {}, h('a', {href: `#/metrics?ids=${metricId}&range=24h`}, name)));
      metricsBox.append(card);
      const chart = new LineChart(card, {compact: true, height: 150, label: `Measures of ${name} over the last 24 hours`});
      charts.push(chart);
      try {
        const metric = await get(`v1/metric/${metricId}`, {signal});
        const granularity = chooseGranularity(metric, 'auto', start, end);
        const aggregation = chooseAggregation(metric, 'mean', false);
        const points = granularity === null || aggregation === null ? []
          : await measures(metricId, {start, stop: end, granularity, aggregation, signal});
        // The last 24 hours, cut to where the data starts so a young resource's measures are not a sliver.
        const first = points.length ? Date.parse(points[0][0]) - granularity * 1000 : start;
        chart.setData({series: [{id: metricId, label: name, unit: metric.unit, granularity, aggregation, color: PALETTE[i % PALETTE.length], points}],
          start: Math.max(start, Math.min(first, end - 3600e3)), end});
        card.append(h('p', {class: 'muted'}, `${points.length} points, ${aggregation}${metric.unit ? `, ${metric.unit}` : ''}`));
      } catch (e) {
        if (!isAbort(e)) card.append(h('p', {class: 'error-text'}, errorText(e)));
      }
    }));
  }

  return () => { scope.dispose(); charts.forEach((c) => c.destroy()); };
}
