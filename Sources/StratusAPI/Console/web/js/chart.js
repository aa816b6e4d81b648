// The console's own line chart, drawn in SVG: several series, time axis, nice value axis, threshold lines,
// event markers, hover read-out, drag to zoom, shift-drag (or arrow keys) to pan. The plotted points are kept on
// each series element as `data-points` (the API's [timestamp, granularity, value] triples), and the caller
// renders a data table beside it for screen readers.
import {formatNumber, formatTick, formatTime, h} from './util.js';

const SVG = 'http://www.w3.org/2000/svg';
/** Line colours with at least 4.5:1 contrast on white. */
export const PALETTE = ['#1d4ed8', '#c2410c', '#15803d', '#7e22ce', '#be123c', '#0e7490', '#a16207', '#4b5563'];

function s(tag, attrs = {}, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

const TIME_STEPS = [1, 5, 10, 15, 30, 60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800, 1209600, 2592000]
  .map((x) => x * 1000);

function timeTicks(start, end, maxTicks) {
  const span = end - start;
  const step = TIME_STEPS.find((st) => span / st <= maxTicks) || TIME_STEPS[TIME_STEPS.length - 1];
  const offset = new Date(start).getTimezoneOffset() * 60000;
  const ticks = [];
  for (let t = Math.ceil((start - offset) / step) * step + offset; t <= end; t += step) ticks.push(t);
  return {ticks, step};
}

/** [minimum, maximum] of a list, without spreading it into arguments (a 30-day series at 1 min is 43,200 values). */
function extent(values) {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) { if (v < lo) lo = v; if (v > hi) hi = v; }
  return [lo, hi];
}

function valueTicks(min, max, count) {
  const rough = (max - min) / Math.max(1, count);
  const pow = 10 ** Math.floor(Math.log10(rough));
  const frac = rough / pow;
  const step = (frac < 1.5 ? 1 : frac < 3 ? 2 : frac < 7 ? 5 : 10) * pow;
  const lo = Math.floor(min / step) * step;
  const hi = Math.ceil(max / step) * step;
  const ticks = [];
  for (let v = lo; v <= hi + step / 2; v += step) ticks.push(Number(v.toPrecision(12)));
  return {lo, hi, ticks};
}

export class LineChart {
  /**
   * @param container element the chart is appended to
   * @param options {label, height, compact, onSelectRange(t0, t1), onPan(deltaMs), onZoomOut()}
   */
  constructor(container, options = {}) {
    this.options = {height: 320, compact: false, label: 'Line chart', ...options};
    this.data = {series: [], start: Date.now() - 3600e3, end: Date.now(), thresholds: [], markers: []};
    this.root = h('div', {class: 'chart' + (this.options.compact ? ' compact' : '')});
    this.svg = s('svg', {role: 'img', 'aria-label': this.options.label, class: 'chart-svg', 'data-testid': 'chart'});
    if (!this.options.compact) {
      this.svg.setAttribute('tabindex', '0');
      this.svg.setAttribute('aria-keyshortcuts', 'ArrowLeft ArrowRight + - Home');
    }
    this.tooltip = h('div', {class: 'chart-tooltip', 'aria-hidden': 'true', hidden: true});
    this.root.append(this.svg, this.tooltip);
    container.append(this.root);
    this.drag = null;
    this.bind();
    this.resizeObserver = new ResizeObserver(() => this.draw());
    this.resizeObserver.observe(this.root);
  }

  /** series: [{id, label, color, unit, granularity (s), points: [[iso, granularity, value]…], error}] */
  setData(data) {
    this.data = {thresholds: [], markers: [], ...data};
    this.draw();
  }

  destroy() { this.resizeObserver.disconnect(); this.root.remove(); }

  geometry() {
    const compact = this.options.compact;
    const width = Math.max(240, this.root.clientWidth || 720);
    const height = this.options.height;
    const m = compact ? {l: 48, r: 8, t: 8, b: 20} : {l: 64, r: 20, t: 14, b: 28};
    const {start, end} = this.data;
    const values = [];
    if (this.data.normalize) values.push(0, 1);
    else {
      for (const series of this.data.series) for (const p of series.points || []) if (Number.isFinite(p[2])) values.push(p[2]);
      for (const t of this.data.thresholds) if (Number.isFinite(t.value)) values.push(t.value);
    }
    let [min, max] = values.length ? extent(values) : [0, 1];
    const nonNegative = min >= 0;
    if (min === max) { const pad = Math.abs(min) * 0.1 || 1; min -= pad; max += pad; }
    if (nonNegative) min = Math.max(0, min);  // counts and sizes: no negative axis for a flat series
    const y = valueTicks(min, max, compact ? 3 : 6);
    const x0 = m.l, x1 = width - m.r, y0 = height - m.b, y1 = m.t;
    const xOf = (t) => x0 + ((t - start) / (end - start)) * (x1 - x0);
    const yOf = (v) => y0 - ((v - y.lo) / (y.hi - y.lo || 1)) * (y0 - y1);
    const tOf = (px) => start + ((px - x0) / (x1 - x0)) * (end - start);
    return {width, height, m, x0, x1, y0, y1, xOf, yOf, tOf, y};
  }

  draw() {
    const svg = this.svg;
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    const g = this.geometry();
    this.g = g;
    const {start, end} = this.data;
    svg.setAttribute('viewBox', `0 0 ${g.width} ${g.height}`);
    svg.setAttribute('width', g.width);
    svg.setAttribute('height', g.height);
    svg.dataset.start = new Date(start).toISOString();
    svg.dataset.end = new Date(end).toISOString();
    const clipId = `clip-${Math.random().toString(36).slice(2)}`;
    const defs = s('defs');
    const clip = s('clipPath', {id: clipId});
    clip.append(s('rect', {x: g.x0, y: g.y1 - 2, width: g.x1 - g.x0, height: g.y0 - g.y1 + 4}));
    defs.append(clip);
    svg.append(defs);

    const axes = s('g', {class: 'axes', 'aria-hidden': 'true'});
    for (const v of g.y.ticks) {
      const yy = g.yOf(v);
      axes.append(s('line', {x1: g.x0, x2: g.x1, y1: yy, y2: yy, class: 'grid'}));
      axes.append(s('text', {x: g.x0 - 6, y: yy + 4, class: 'tick y'}, this.data.normalize ? `${formatNumber(v * 100)}%` : formatNumber(v)));
    }
    const {ticks, step} = timeTicks(start, end, Math.max(2, Math.floor((g.x1 - g.x0) / (this.options.compact ? 90 : 110))));
    for (const t of ticks) {
      const xx = g.xOf(t);
      axes.append(s('line', {x1: xx, x2: xx, y1: g.y1, y2: g.y0, class: 'grid'}));
      // A label centred on a tick at the very edge would run into the value axis or out of the chart.
      if (xx - g.x0 < 24 || g.width - xx < 24) continue;
      axes.append(s('text', {x: xx, y: g.y0 + (this.options.compact ? 14 : 18), class: 'tick x'}, formatTick(t, end - start, step)));
    }
    axes.append(s('line', {x1: g.x0, x2: g.x1, y1: g.y0, y2: g.y0, class: 'axis'}));
    axes.append(s('line', {x1: g.x0, x2: g.x0, y1: g.y1, y2: g.y0, class: 'axis'}));
    svg.append(axes);

    const plot = s('g', {class: 'plot', 'clip-path': `url(#${clipId})`});
    this.plot = plot;
    for (const marker of this.data.markers) {
      const xx = g.xOf(marker.t);
      const group = s('g', {class: `marker ${marker.className || ''}`, 'data-time': new Date(marker.t).toISOString()});
      group.append(s('line', {x1: xx, x2: xx, y1: g.y1, y2: g.y0}));
      const nearRight = xx > g.x1 - 110;
      group.append(s('text', {x: nearRight ? xx - 3 : xx + 3, y: g.y1 + 10, 'text-anchor': nearRight ? 'end' : 'start'}, marker.label));
      group.append(s('title', {}, `${formatTime(marker.t)} ${marker.title || marker.label}`));
      plot.append(group);
    }
    for (const t of this.data.thresholds) {
      const yy = g.yOf(t.value);
      const group = s('g', {class: 'threshold', 'data-value': t.value});
      group.append(s('line', {x1: g.x0, x2: g.x1, y1: yy, y2: yy}));
      group.append(s('text', {x: g.x1 - 4, y: yy - 4, class: 'threshold-label'}, t.label || `threshold ${formatNumber(t.value)}`));
      plot.append(group);
    }
    let anyPoint = false;
    this.data.series.forEach((series, index) => {
      const color = series.color || PALETTE[index % PALETTE.length];
      const group = s('g', {class: 'series', 'data-series': series.id, 'data-label': series.label,
        'data-granularity': series.granularity, 'data-points': JSON.stringify(series.points || [])});
      let points = (series.points || []).map((p) => [Date.parse(p[0]), p[2]]).filter((p) => Number.isFinite(p[1]));
      if (this.data.normalize && points.length) {
        // Independent scales: each series spans its own minimum (0 %) to maximum (100 %); the read-out keeps real values.
        const [lo, hi] = extent(points.map((p) => p[1]));
        points = points.map(([t, v]) => [t, hi > lo ? (v - lo) / (hi - lo) : 0.5]);
      }
      const gapMs = (series.granularity || 0) * 1000 * 2.5;
      let d = '';
      let previous = null;
      for (const [t, v] of points) {
        const cmd = previous === null || (gapMs > 0 && t - previous > gapMs) ? 'M' : 'L';
        d += `${cmd}${g.xOf(t).toFixed(1)},${g.yOf(v).toFixed(1)}`;
        previous = t;
      }
      if (d) group.append(s('path', {d, stroke: color, class: 'line'}));
      if (points.length && points.length <= (this.options.compact ? 40 : 120)) {
        for (const [t, v] of points) group.append(s('circle', {cx: g.xOf(t), cy: g.yOf(v), r: 2.5, fill: color}));
      }
      anyPoint = anyPoint || points.length > 0;
      plot.append(group);
    });
    svg.append(plot);
    if (!anyPoint) {
      svg.append(s('text', {x: (g.x0 + g.x1) / 2, y: (g.y0 + g.y1) / 2, class: 'empty'}, this.data.emptyText || 'No data in this range'));
    }
    this.hoverLine = s('line', {class: 'hover-line', y1: g.y1, y2: g.y0, visibility: 'hidden'});
    this.selection = s('rect', {class: 'selection', y: g.y1, height: g.y0 - g.y1, visibility: 'hidden'});
    svg.append(this.hoverLine, this.selection);
  }

  /** The point of each series nearest to time t. */
  nearest(t) {
    const result = [];
    this.data.series.forEach((series, index) => {
      const pts = series.points || [];
      if (!pts.length) return;
      let lo = 0, hi = pts.length - 1;
      while (lo < hi) { const mid = (lo + hi) >> 1; if (Date.parse(pts[mid][0]) < t) lo = mid + 1; else hi = mid; }
      let best = lo;
      if (lo > 0 && Math.abs(Date.parse(pts[lo - 1][0]) - t) < Math.abs(Date.parse(pts[lo][0]) - t)) best = lo - 1;
      result.push({series, color: series.color || PALETTE[index % PALETTE.length], point: pts[best]});
    });
    return result;
  }

  localX(event) {
    const rect = this.svg.getBoundingClientRect();
    return ((event.clientX - rect.left) / rect.width) * this.g.width;
  }

  bind() {
    const svg = this.svg;
    svg.addEventListener('pointermove', (event) => {
      if (!this.g) return;
      const x = Math.min(this.g.x1, Math.max(this.g.x0, this.localX(event)));
      if (this.drag) {
        this.drag.x1 = x;
        if (this.drag.mode === 'zoom') {
          this.selection.setAttribute('x', Math.min(this.drag.x0, x));
          this.selection.setAttribute('width', Math.abs(x - this.drag.x0));
          this.selection.setAttribute('visibility', 'visible');
        } else {
          this.plot.setAttribute('transform', `translate(${x - this.drag.x0},0)`);
        }
        return;
      }
      this.showHover(x, event);
    });
    svg.addEventListener('pointerleave', () => this.hideHover());
    if (this.options.compact) return;
    svg.addEventListener('pointerdown', (event) => {
      if (event.button !== 0 || !this.g) return;
      const x = this.localX(event);
      if (x < this.g.x0 || x > this.g.x1) return;
      this.drag = {x0: x, x1: x, mode: event.shiftKey ? 'pan' : 'zoom'};
      svg.setPointerCapture(event.pointerId);
      this.hideHover();
      event.preventDefault();
    });
    const finish = () => {
      const drag = this.drag;
      this.drag = null;
      if (!drag) return;
      this.selection.setAttribute('visibility', 'hidden');
      this.plot.removeAttribute('transform');
      if (Math.abs(drag.x1 - drag.x0) < 5) return;
      if (drag.mode === 'zoom') {
        const a = this.g.tOf(Math.min(drag.x0, drag.x1)), b = this.g.tOf(Math.max(drag.x0, drag.x1));
        if (this.options.onSelectRange) this.options.onSelectRange(a, b);
      } else if (this.options.onPan) {
        this.options.onPan(this.g.tOf(drag.x0) - this.g.tOf(drag.x1));
      }
    };
    svg.addEventListener('pointerup', finish);
    svg.addEventListener('pointercancel', () => { this.drag = null; this.draw(); });
    svg.addEventListener('keydown', (event) => {
      const {start, end} = this.data;
      const span = end - start;
      let handled = true;
      if (event.key === 'ArrowLeft' && this.options.onPan) this.options.onPan(-span / 4);
      else if (event.key === 'ArrowRight' && this.options.onPan) this.options.onPan(span / 4);
      else if ((event.key === '+' || event.key === '=') && this.options.onSelectRange) this.options.onSelectRange(start + span / 4, end - span / 4);
      else if (event.key === '-' && this.options.onZoomOut) this.options.onZoomOut();
      else handled = false;
      if (handled) event.preventDefault();
    });
  }

  showHover(x, event) {
    const near = this.nearest(this.g.tOf(x));
    if (!near.length) { this.hideHover(); return; }
    const t = Date.parse(near[0].point[0]);
    const px = this.g.xOf(t);
    this.hoverLine.setAttribute('x1', px);
    this.hoverLine.setAttribute('x2', px);
    this.hoverLine.setAttribute('visibility', 'visible');
    const tip = this.tooltip;
    while (tip.firstChild) tip.removeChild(tip.firstChild);
    tip.append(h('div', {class: 'tip-time'}, formatTime(t)));
    for (const {series, color, point} of near) {
      const swatch = h('span', {class: 'swatch'});
      swatch.style.background = color;
      tip.append(h('div', {}, swatch, `${series.label}: `, h('strong', {}, formatNumber(point[2])), series.unit ? ` ${series.unit}` : '',
        Date.parse(point[0]) !== t ? h('span', {class: 'muted'}, ` (${formatTime(Date.parse(point[0]))})`) : ''));
    }
    tip.hidden = false;
    const rootRect = this.root.getBoundingClientRect();
    const left = event.clientX - rootRect.left + 14;
    tip.style.left = `${Math.min(left, rootRect.width - tip.offsetWidth - 4)}px`;
    tip.style.top = `${Math.max(0, event.clientY - rootRect.top - tip.offsetHeight - 8)}px`;
  }

  hideHover() {
    this.tooltip.hidden = true;
    if (this.hoverLine) this.hoverLine.setAttribute('visibility', 'hidden');
  }
}

/** An accessible table of what a chart shows: one row per point, one table per series. */
export function dataTable(series, {caption = 'Plotted points'} = {}) {
  const wrapper = h('div', {class: 'data-tables'});
  for (const item of series) {
    const rows = (item.points || []).map((p) =>
      h('tr', {dataset: {ts: p[0], value: String(p[2]), granularity: String(p[1])}},
        h('td', {}, formatTime(Date.parse(p[0]))), h('td', {}, String(p[1])), h('td', {class: 'num'}, formatNumber(p[2]))));
    wrapper.append(h('table', {class: 'chart-data', dataset: {series: item.id}},
      h('caption', {}, `${caption}: ${item.label}${item.aggregation ? ` (${item.aggregation})` : ''}, ${rows.length} points`),
      h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Time'), h('th', {scope: 'col'}, 'Granularity (s)'), h('th', {scope: 'col'}, 'Value'))),
      h('tbody', {}, rows)));
  }
  return wrapper;
}
