// Small DOM, time and formatting helpers shared by every view. No dependencies.

/** Creates an element: h('button', {class: 'x', on: {click: f}, dataset: {id: 1}}, 'text', child…). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key === 'on') for (const [event, f] of Object.entries(value)) el.addEventListener(event, f);
    else if (key === 'dataset') for (const [k, v] of Object.entries(value)) el.dataset[k] = v;
    else if (key === 'value') el.value = value;
    else if (key === 'checked' || key === 'disabled' || key === 'selected' || key === 'hidden') el[key] = !!value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); return el; }

/** A labelled <select>: options are [value, text] pairs. */
export function select(id, label, options, value, onChange) {
  const sel = h('select', {id, on: {change: () => onChange(sel.value)}},
    options.map(([v, t]) => h('option', {value: String(v), selected: String(v) === String(value)}, t)));
  return h('div', {class: 'field'}, h('label', {for: id}, label), sel);
}

/** The live region every view announces loading results and errors in. */
export function announce(message) {
  const region = document.getElementById('status-message');
  if (region) region.textContent = message;
}

/**
 * Owns the AbortController of a view's in-flight requests: renew() cancels them and starts a new generation.
 * After dispose() (the view was left), every signal it hands out is already aborted, so work that was still
 * pending when the user navigated away stops instead of drawing into a view that is gone.
 */
export class RequestScope {
  constructor() { this.controller = new AbortController(); this.disposed = false; }
  get signal() { return this.controller.signal; }
  renew() {
    this.controller.abort();
    this.controller = new AbortController();
    if (this.disposed) this.controller.abort();
    return this.controller.signal;
  }
  dispose() { this.disposed = true; this.controller.abort(); }
}

export function isAbort(error) { return error && (error.name === 'AbortError' || error.name === 'TimeoutError'); }

/** Seconds in a Python timedelta string as Gnocchi prints it: "0:05:00", "1 day, 0:00:00", "60 days, 0:00:00". */
export function parseTimedelta(text) {
  if (typeof text === 'number') return text;
  const m = /^(?:(-?\d+) days?, )?(\d+):(\d\d):(\d\d(?:\.\d+)?)$/.exec(String(text).trim());
  if (!m) return NaN;
  return (Number(m[1] || 0) * 86400) + Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4]);
}

/** "30 s", "5 min", "1 h", "1 d 6 h". */
export function formatDuration(seconds) {
  if (!Number.isFinite(seconds)) return String(seconds);
  const units = [[86400, 'd'], [3600, 'h'], [60, 'min'], [1, 's']];
  const parts = [];
  let rest = seconds;
  for (const [size, name] of units) {
    if (rest >= size) { const n = Math.floor(rest / size); parts.push(`${n} ${name}`); rest -= n * size; }
    if (parts.length === 2) break;
  }
  if (rest > 0 && parts.length < 2 && rest < 1) parts.push(`${Math.round(rest * 1000)} ms`);
  return parts.join(' ') || '0 s';
}

const pad = (n, w = 2) => String(n).padStart(w, '0');

/** Local time for tables and tooltips: "2026-11-25 14:05:00". */
export function formatTime(ms) {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** An axis label for a tick, as short as the visible span allows. */
export function formatTick(ms, spanMs, stepMs) {
  const d = new Date(ms);
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  if (spanMs <= 86400e3) return stepMs < 60e3 ? `${hm}:${pad(d.getSeconds())}` : hm;
  if (stepMs < 86400e3) return `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${hm}`;
  return `${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** `<input type="datetime-local">` value ↔ epoch milliseconds (local time). */
export function toDatetimeLocal(ms) {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
export function fromDatetimeLocal(value) {
  const t = new Date(value).getTime();
  return Number.isFinite(t) ? t : NaN;
}

/** A value for display: up to 6 significant digits, exponent form for very large or small magnitudes. */
export function formatNumber(v) {
  if (v === null || v === undefined) return '—';
  if (typeof v !== 'number') return String(v);
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e9 || a < 1e-4)) return v.toExponential(3);
  return String(Number(v.toPrecision(6)));
}

/** Offers `rows` (arrays) as a CSV file download. */
export function downloadCSV(filename, rows) {
  const quote = (v) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const text = rows.map((r) => r.map(quote).join(',')).join('\r\n') + '\r\n';
  const url = URL.createObjectURL(new Blob([text], {type: 'text/csv'}));
  const a = h('a', {href: url, download: filename, class: 'visually-hidden'});
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** Time range presets of the metric and alarm charts, in milliseconds. */
export const PRESETS = [['1h', 3600e3, '1 h'], ['6h', 6 * 3600e3, '6 h'], ['24h', 86400e3, '24 h'], ['7d', 7 * 86400e3, '7 d'], ['30d', 30 * 86400e3, '30 d']];
export function presetSpan(name) { const p = PRESETS.find(([n]) => n === name); return p ? p[1] : NaN; }

/** A short form of a UUID for tables (the full one is in the title). */
export function shortId(id) { return id && id.length > 13 ? id.slice(0, 8) + '…' : id; }

/** The hash route: "#/metrics?ids=a,b" → {path: ['metrics'], params: URLSearchParams}. */
export function currentRoute() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, query] = raw.split('?');
  return {path: path.split('/').filter(Boolean).map(decodeURIComponent), params: new URLSearchParams(query || '')};
}

/**
 * Rewrites the hash query without re-rendering the view (replaceState fires no hashchange). Only while the hash
 * still names this view: a view finishing a load just after the user went elsewhere must not put its own
 * route back before the hashchange event is handled.
 */
export function replaceParams(path, params) {
  if (location.hash.replace(/^#\/?/, '').split('?')[0] !== path) return;
  const query = params.toString();
  history.replaceState(null, '', `#/${path}${query ? '?' + query : ''}`);
}

/** Title-cased error text for a failed request. */
export function errorText(error) {
  if (!error) return 'Unknown error';
  if (error.status) return `${error.status} ${error.message}`;
  return error.message || String(error);
}
