// The training page (browser platform, bundled by esbuild.js into dist/webviews/train.js): draws the run's
// state, step, steps/s, time left and three inline-SVG curves (./chart.ts) from the TrainView the panel
// posts, with Pause / Resume / Stop and, once a checkpoint is there, "Use this hypernetwork" as typed
// intents (./messages.ts). Keeps the last view in the webview state so hiding the panel loses nothing.
import { chartGeometry, MARGIN } from './chart';
import { type Chart, type FromWebview, type Intent, readToWebview, type TrainView } from './messages';

interface VsCodeApi {
  postMessage(message: FromWebview): void;
  getState(): { view?: TrainView } | undefined;
  setState(state: { view: TrainView }): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 560;
const HEIGHT = 180;

function el(tag: string, attrs: Record<string, string> = {}, ...children: Array<Node | string>): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
}

function svg(tag: string, attrs: Record<string, string>, text?: string): SVGElement {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function button(intent: Intent, label: string, enabled: boolean, secondary = false): HTMLElement {
  const b = el('vscode-button', { 'data-testid': `train-${intent}` }, label);
  if (!enabled) b.setAttribute('disabled', '');
  if (secondary) b.setAttribute('secondary', '');
  b.addEventListener('click', () => {
    if (!b.hasAttribute('disabled')) vscode.postMessage({ type: intent });
  });
  return b;
}

function chart(c: Chart, maxSteps: number): HTMLElement {
  const g = chartGeometry(c, maxSteps, WIDTH, HEIGHT);
  const points = c.series.reduce((n, s) => n + s.points.length, 0);
  const box = svg('svg', {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    role: 'img',
    'aria-label': `${c.title}: ${c.series.map((s) => `${s.name} ${s.points.at(-1)?.[1]?.toPrecision(3) ?? '—'}`).join(', ')}`,
    'data-testid': `train-chart-${c.id}`,
    'data-points': String(points),
  });
  box.append(
    svg('rect', {
      class: 'plot',
      x: String(MARGIN.left),
      y: String(MARGIN.top),
      width: String(WIDTH - MARGIN.left - MARGIN.right),
      height: String(HEIGHT - MARGIN.top - MARGIN.bottom),
    }),
  );
  for (const t of g.yTicks)
    box.append(
      svg(
        'text',
        { class: 'tick', x: String(MARGIN.left - 4), y: String(t.y + 4), 'text-anchor': 'end' },
        t.label,
      ),
    );
  for (const t of g.xTicks)
    box.append(
      svg('text', { class: 'tick', x: String(t.x), y: String(HEIGHT - 4), 'text-anchor': 'middle' }, t.label),
    );
  for (const p of g.paths) if (p.d) box.append(svg('path', { class: `line ${p.tone}`, d: p.d }));
  const legend = el(
    'div',
    { class: 'legend' },
    ...c.series.map((s) =>
      el(
        'span',
        { class: `key ${s.tone}` },
        `${s.name}${s.points.length ? `: ${s.points.at(-1)?.[1]?.toPrecision(3)}` : ''}`,
      ),
    ),
  );
  return el('section', { class: 'chart' }, el('h2', {}, c.title), box, legend);
}

function render(view: TrainView): void {
  const root = document.getElementById('root') as HTMLElement;
  const status = el(
    'p',
    { class: `status ${view.state}`, 'data-testid': 'train-state', 'data-state': view.state, role: 'status' },
    view.stateLabel,
  );
  const progress = el('progress', {
    max: '1',
    value: String(view.fraction),
    'aria-label': 'training progress',
  });
  const facts = el(
    'p',
    { class: 'facts' },
    el('span', { 'data-testid': 'train-step' }, view.stepText),
    el('span', { 'data-testid': 'train-rate' }, view.rateText),
    el('span', { 'data-testid': 'train-left' }, view.leftText),
    el('span', { 'data-testid': 'train-best' }, view.bestText),
  );
  const actions = el(
    'div',
    { class: 'actions' },
    button('pause', 'Pause', view.canPause),
    button('resume', 'Resume', view.canResume),
    button('stop', 'Stop', view.canStop, true),
  );
  const parts: HTMLElement[] = [el('h1', {}, view.title), status, progress, facts, actions];
  if (view.error) parts.push(el('p', { class: 'error', role: 'alert' }, view.error));
  if (view.checkpoint) {
    const path = el('code', { 'data-testid': 'train-checkpoint' }, view.checkpoint);
    parts.push(
      el(
        'div',
        { class: 'checkpoint' },
        el('span', {}, 'Best checkpoint: '),
        path,
        button('use', 'Use this hypernetwork', true),
        button('reveal', 'Open run folder', true, true),
      ),
    );
  }
  if (view.out) parts.push(el('p', { class: 'meta' }, `Run folder: ${view.out}`));
  parts.push(el('div', { class: 'charts' }, ...view.charts.map((c) => chart(c, view.maxSteps))));
  root.replaceChildren(...parts);
}

window.addEventListener('message', (event: MessageEvent) => {
  const message = readToWebview(event.data);
  if (!message) return;
  vscode.setState({ view: message.view });
  render(message.view);
});

const saved = vscode.getState()?.view;
if (saved) render(saved);
vscode.postMessage({ type: 'ready' });
