// Entry point: sign-in, navigation between views (hash routes), and the header.
import {APIError, consoleConfig, currentUser, get, setCredentials} from './api.js';
import {announce, clear, currentRoute, errorText, h} from './util.js';
import * as metrics from './metrics.js';
import * as resources from './resources.js';
import * as alarms from './alarms.js';
import * as status from './status.js';

const VIEWS = [
  ['metrics', 'Metrics', metrics.mount],
  ['resources', 'Resources', resources.mount],
  ['resource', null, resources.mountResource],
  ['alarms', 'Alarms', alarms.mount],
  ['alarm', null, alarms.mountAlarm],
  ['status', 'Status', status.mount],
];

let config = {auth_mode: 'basic'};
let cleanup = null;
let signingIn = false;
const main = document.getElementById('main');

function needsSignIn() { return config.auth_mode === 'basic' && currentUser() === null; }

function renderHeader() {
  const nav = clear(document.getElementById('nav'));
  const who = clear(document.getElementById('who'));
  if (needsSignIn()) return;
  const route = currentRoute().path[0] || 'metrics';
  const active = route === 'resource' ? 'resources' : route === 'alarm' ? 'alarms' : route;
  for (const [name, label] of VIEWS) {
    if (!label) continue;
    nav.append(h('a', {href: `#/${name}`, 'aria-current': name === active ? 'page' : false}, label));
  }
  if (config.auth_mode === 'basic') {
    who.append(h('span', {}, 'Signed in as ', h('strong', {id: 'signed-in-user'}, currentUser())), ' ',
      h('button', {type: 'button', class: 'link', on: {click: signOut}}, 'Sign out'));
  } else {
    who.append(h('span', {class: 'muted'}, `Identity from ${config.auth_mode === 'noauth' ? 'no authentication (everyone is admin)' : `the ${config.auth_mode} proxy`}`));
  }
}

function signOut() {
  setCredentials(null);
  location.hash = '#/metrics';
  render();
}

function signInForm(message) {
  const user = h('input', {id: 'signin-user', name: 'username', autocomplete: 'username', required: true});
  const password = h('input', {id: 'signin-password', name: 'password', type: 'password', autocomplete: 'current-password'});
  const error = h('p', {class: 'error-text', role: 'alert', id: 'signin-error'}, message || '');
  const form = h('form', {class: 'signin panel', 'aria-labelledby': 'signin-title', on: {submit: async (event) => {
    event.preventDefault();
    error.textContent = '';
    setCredentials(user.value.trim(), password.value);
    signingIn = true;
    try {
      // Any authenticated user may list archive policies: a cheap check that the server accepts the identity.
      await get('v1/archive_policy');
      signingIn = false;
      render();
    } catch (e) {
      signingIn = false;
      setCredentials(null);
      error.textContent = e instanceof APIError && e.status === 401 ? 'The server refused these credentials.' : `Cannot sign in: ${errorText(e)}`;
    }
  }}},
  h('h2', {id: 'signin-title'}, 'Sign in'),
  h('p', {class: 'muted'}, 'The user name is your identity on this Stratus API (HTTP Basic; "admin" is the administrator). It is kept in this tab only.'),
  h('div', {class: 'field'}, h('label', {for: 'signin-user'}, 'User name'), user),
  h('div', {class: 'field'}, h('label', {for: 'signin-password'}, 'Password (optional)'), password),
  error,
  h('button', {type: 'submit', class: 'primary', id: 'signin-submit'}, 'Sign in'));
  main.append(form);
  user.focus();
}

function render(message) {
  if (cleanup) { cleanup(); cleanup = null; }
  clear(main);
  announce('');
  renderHeader();
  if (needsSignIn()) { signInForm(message); return; }
  const route = currentRoute();
  const entry = VIEWS.find(([name]) => name === route.path[0]);
  if (!entry) { location.replace('#/metrics'); return; }
  const [, label] = entry;
  document.title = `${label || entry[0]} — Stratus`;
  cleanup = entry[2](main, route) || null;
}

async function start() {
  try {
    config = await consoleConfig();
  } catch (e) {
    main.append(h('p', {class: 'error-text', role: 'alert'}, `Cannot reach the Stratus API: ${errorText(e)}`));
    return;
  }
  document.getElementById('version').textContent = `Stratus ${config.version || ''} · auth ${config.auth_mode}`;
  window.addEventListener('hashchange', () => { render(); main.focus({preventScroll: true}); });
  window.addEventListener('stratus:unauthorized', () => {
    if (signingIn || config.auth_mode !== 'basic' || currentUser() === null) return;
    setCredentials(null);
    render('The server no longer accepts your credentials: sign in again.');
  });
  if (!location.hash) history.replaceState(null, '', '#/metrics');
  render();
}

start();
