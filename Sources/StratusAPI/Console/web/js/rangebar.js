// Time range controls shared by the metric and alarm charts: presets, custom from/to, pan and zoom out.
import {PRESETS, fromDatetimeLocal, h, presetSpan, toDatetimeLocal} from './util.js';

export class RangeBar {
  /** state: {preset: '1h'…'30d'|'custom', start, end} (start/end in ms, used when custom); onChange(state) */
  constructor(container, state, onChange) {
    this.state = {preset: '1h', ...state};
    const valid = this.state.preset === 'custom' ? this.state.end > this.state.start : Number.isFinite(presetSpan(this.state.preset));
    if (!valid) this.state.preset = '1h';
    this.onChange = onChange;
    this.root = h('div', {class: 'rangebar', role: 'group', 'aria-label': 'Time range'});
    container.append(this.root);
    this.render();
  }

  /** The range to show now: a preset ends at the current time. */
  get range() {
    if (this.state.preset === 'custom') return {start: this.state.start, end: this.state.end};
    const end = Date.now();
    return {start: end - presetSpan(this.state.preset), end};
  }

  set(state) { this.state = {...this.state, ...state}; this.render(); this.onChange(this.state); }
  custom(start, end) {
    if (!(end > start)) return;
    this.set({preset: 'custom', start: Math.round(start), end: Math.round(end)});
  }
  pan(delta) { const {start, end} = this.range; this.custom(start + delta, end + delta); }
  zoomOut() { const {start, end} = this.range; const span = end - start; this.custom(start - span / 2, end + span / 2); }

  render() {
    const root = this.root;
    // Keep the keyboard focus on the button the user pressed (the bar is rebuilt on every change).
    const active = root.contains(document.activeElement) ? document.activeElement : null;
    const focusKey = active && (active.dataset.key || active.id);
    while (root.firstChild) root.removeChild(root.firstChild);
    const presets = h('div', {class: 'segmented', role: 'group', 'aria-label': 'Presets'});
    for (const [name, , label] of PRESETS) {
      presets.append(h('button', {type: 'button', 'aria-pressed': String(this.state.preset === name), dataset: {preset: name, key: name},
        on: {click: () => this.set({preset: name})}}, label));
    }
    const customOpen = this.state.preset === 'custom';
    presets.append(h('button', {type: 'button', 'aria-pressed': String(customOpen), dataset: {preset: 'custom', key: 'custom'},
      on: {click: () => { const {start, end} = this.range; this.custom(start, end); }}}, 'Custom'));
    root.append(presets);
    const {start, end} = this.range;
    const from = h('input', {type: 'datetime-local', id: `range-from-${this.uid()}`, value: toDatetimeLocal(start)});
    const to = h('input', {type: 'datetime-local', id: `range-to-${this.uid()}`, value: toDatetimeLocal(end)});
    const apply = h('button', {type: 'button', dataset: {key: 'apply'}, on: {click: () => {
      const a = fromDatetimeLocal(from.value), b = fromDatetimeLocal(to.value);
      if (Number.isFinite(a) && Number.isFinite(b) && b > a) this.custom(a, b);
      else to.setCustomValidity('The end must be after the start'), to.reportValidity();
    }}}, 'Apply');
    root.append(h('div', {class: 'custom-range'},
      h('label', {for: from.id}, 'From'), from, h('label', {for: to.id}, 'To'), to, apply));
    root.append(h('div', {class: 'segmented', role: 'group', 'aria-label': 'Move'},
      h('button', {type: 'button', dataset: {key: 'earlier'}, title: 'Earlier (shift-drag on the chart, or ←)', on: {click: () => this.pan(-(end - start) / 2)}}, '◀ Earlier'),
      h('button', {type: 'button', dataset: {key: 'later'}, title: 'Later (→)', on: {click: () => this.pan((end - start) / 2)}}, 'Later ▶'),
      h('button', {type: 'button', dataset: {key: 'zoom-out'}, title: 'Zoom out (-); drag on the chart to zoom in', on: {click: () => this.zoomOut()}}, 'Zoom out')));
    if (focusKey) {
      const again = [...root.querySelectorAll('button, input')].find((el) => (el.dataset.key || el.id) === focusKey);
      if (again) again.focus();
    }
  }

  uid() { if (!this._uid) this._uid = Math.random().toString(36).slice(2, 8); return this._uid; }
}
