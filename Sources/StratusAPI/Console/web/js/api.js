// The console's only way to the server: the public /v1 (Gnocchi) and /v2 (Aodh) APIs, with the signed-in
// user's identity, so the API's policy applies exactly as for any other client.

const STORAGE_KEY = 'stratus.console.credentials';
/** The API root: the parent of /ui/, so a reverse proxy's path prefix is kept. */
export const apiBase = new URL('..', location.href);

export class APIError extends Error {
  constructor(status, message, body) {
    super(message);
    this.name = 'APIError';
    this.status = status;
    this.body = body;
  }
}

let credentials = null;
try { credentials = JSON.parse(sessionStorage.getItem(STORAGE_KEY) || 'null'); } catch { credentials = null; }

/** Basic credentials for this browser tab (sessionStorage: gone when the tab closes). */
export function setCredentials(user, password) {
  credentials = user === null ? null : {user, password: password || ''};
  if (credentials) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(credentials));
  else sessionStorage.removeItem(STORAGE_KEY);
}
export function currentUser() { return credentials ? credentials.user : null; }

function basicHeader({user, password}) {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return 'Basic ' + btoa(binary);
}

/** Gnocchi's `{"description": …}`, Aodh's `{"error_message": {"faultstring": …}}`, or the status text. */
function errorMessage(status, body, statusText) {
  if (body && typeof body === 'object') {
    const d = body.description;
    if (typeof d === 'string' && d) return d;
    if (d && typeof d === 'object') return [d.cause, d.reason, d.detail && JSON.stringify(d.detail)].filter(Boolean).join(': ');
    const fault = body.error_message;
    if (fault && typeof fault === 'object' && fault.faultstring) return fault.faultstring;
    if (typeof fault === 'string') return fault;
    if (body.title) return body.title;
  }
  return statusText || `HTTP ${status}`;
}

/**
 * One request. `query` is an object or URLSearchParams; `body` is sent as JSON when defined.
 * Resolves {status, json, text, headers}; rejects with APIError for a non-2xx answer and with an AbortError when
 * `signal` is aborted.
 */
export async function request(method, path, {query, body, signal, raw = false} = {}) {
  const url = new URL(path.replace(/^\//, ''), apiBase);
  if (query) {
    const params = query instanceof URLSearchParams ? query : new URLSearchParams();
    if (!(query instanceof URLSearchParams)) {
      for (const [k, v] of Object.entries(query)) {
        if (v === undefined || v === null) continue;
        for (const item of Array.isArray(v) ? v : [v]) params.append(k, String(item));
      }
    }
    url.search = params.toString();
  }
  const headers = {Accept: raw ? '*/*' : 'application/json'};
  if (credentials) headers.Authorization = basicHeader(credentials);
  const init = {method, headers, signal, credentials: 'same-origin', cache: 'no-store'};
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(url, init);
  const text = await response.text();
  let json = null;
  if (text && (response.headers.get('Content-Type') || '').includes('json')) {
    try { json = JSON.parse(text); } catch { json = null; }
  }
  if (!response.ok) {
    // Credentials the server no longer accepts: the app goes back to the sign-in form.
    if (response.status === 401 && credentials) window.dispatchEvent(new CustomEvent('stratus:unauthorized'));
    throw new APIError(response.status, errorMessage(response.status, json, response.statusText), json);
  }
  return {status: response.status, json, text, headers: response.headers};
}

export async function get(path, options = {}) { return (await request('GET', path, options)).json; }
export async function post(path, body, options = {}) { return (await request('POST', path, {...options, body})).json; }
export async function put(path, body, options = {}) { return (await request('PUT', path, {...options, body})).json; }

/** Follows `Link: <…>; rel="next"` for up to `maxPages` pages; returns the concatenated list. */
export async function getAll(path, {query, signal, maxPages = 10} = {}) {
  let reply = await request('GET', path, {query, signal});
  const items = [...(reply.json || [])];
  for (let page = 1; page < maxPages; page++) {
    const next = /<([^>]+)>;\s*rel="next"/.exec(reply.headers.get('Link') || '');
    if (!next || !reply.json || reply.json.length === 0) break;
    const url = new URL(next[1], apiBase);
    // Keep the path relative to the API root, whatever host the server put in the link.
    const relative = url.pathname.slice(apiBase.pathname.length);
    reply = await request('GET', relative, {query: url.searchParams, signal});
    items.push(...(reply.json || []));
  }
  return items;
}

/** Server settings the page needs before signing in (no auth). */
export async function consoleConfig() {
  const response = await fetch(new URL('ui/config.json', apiBase), {cache: 'no-store'});
  if (!response.ok) throw new APIError(response.status, 'Cannot read the console configuration');
  return response.json();
}

/** Measures of a metric as the API returns them: [[iso timestamp, granularity seconds, value], …]. */
export function measures(metricId, {start, stop, granularity, aggregation, signal}) {
  return get(`v1/metric/${encodeURIComponent(metricId)}/measures`, {
    query: {start: new Date(start).toISOString(), stop: new Date(stop).toISOString(), granularity, aggregation}, signal,
  });
}

/** A Prometheus text exposition value: the sum of every sample of `name` (any labels). */
export async function prometheusValue(name, signal) {
  const {text} = await request('GET', 'metrics', {signal, raw: true});
  let total = null;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (m && m[1] === name) total = (total || 0) + Number(m[3]);
  }
  return total;
}
