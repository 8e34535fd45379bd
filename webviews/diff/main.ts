// The propagation diff page (browser platform, bundled by esbuild.js into dist/webviews/diff.js): renders a
// report's rows grouped verbatim / non-verbatim / locality with before → after, gold, correctness and the
// gold probability bars; sort, filter, export and jump-to-question intents go to the extension as typed
// messages (./messages.ts). Keeps the report and view in the webview state so hiding the panel loses nothing.
import {
  DIFF_GROUPS,
  type DiffGroup,
  type DiffReport,
  type DiffRow,
  type FromWebview,
  readToWebview,
} from './messages';
import {
  barPercent,
  DEFAULT_VIEW,
  SORT_KEYS,
  type SortKey,
  summaryLine,
  type ViewState,
  visibleRows,
} from './model';

interface PageState {
  readonly report: DiffReport | null;
  readonly view: ViewState;
}

interface VsCodeApi {
  postMessage(message: FromWebview): void;
  getState(): PageState | undefined;
  setState(state: PageState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
let state: PageState = vscode.getState() ?? { report: null, view: DEFAULT_VIEW };

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: Array<Node | string>
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
}

function custom(
  tag: string,
  attrs: Record<string, string> = {},
  ...children: Array<Node | string>
): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
}

function save(next: Partial<PageState>): void {
  state = { ...state, ...next };
  vscode.setState(state);
  render();
}

function setView(next: Partial<ViewState>): void {
  save({ view: { ...state.view, ...next } });
}

const GROUP_TITLES: Record<DiffGroup, string> = {
  verbatim: 'Verbatim (the answer is in the fact)',
  'non-verbatim': 'Non-verbatim (the answer needs another hop)',
  locality: 'Locality (must not change)',
};

function mark(ok: boolean | null): HTMLElement {
  const text = ok === null ? '?' : ok ? '✓' : '✗';
  const label = ok === null ? 'not scored' : ok ? 'right' : 'wrong';
  return el(
    'span',
    { class: `mark ${ok === null ? 'unknown' : ok ? 'ok' : 'bad'}`, 'aria-label': label, title: label },
    text,
  );
}

function bar(logprob: number | null, which: string): HTMLElement {
  const pct = barPercent(logprob);
  const outer = el('span', {
    class: `bar ${which}`,
    role: 'meter',
    'aria-valuemin': '0',
    'aria-valuemax': '100',
    'aria-valuenow': String(pct ?? 0),
    'aria-label': `gold probability ${which}`,
    title: logprob === null ? 'not scored' : `log-prob ${logprob.toFixed(3)} (p ${(pct ?? 0).toFixed(1)}%)`,
  });
  const fill = el('span', { class: 'fill' });
  fill.style.width = `${pct ?? 0}%`;
  outer.append(fill);
  return outer;
}

function reveal(row: DiffRow): void {
  if (row.location) vscode.postMessage({ type: 'reveal', rowId: row.id });
}

function rowElement(row: DiffRow): HTMLElement {
  const tr = el('tr', {
    'data-testid': 'diff-row',
    'data-row-id': row.id,
    'data-group': row.group,
    'data-change': row.change,
    tabindex: '0',
    title: row.location ? 'Enter or click: go to the question' : 'no place in a file',
  });
  const lp = (v: number | null) => (v === null ? '—' : v.toFixed(2));
  tr.append(
    el('td', { class: 'question', 'data-testid': 'diff-question' }, row.question),
    el('td', { class: 'gold', 'data-testid': 'diff-gold' }, row.gold ?? '—'),
    el('td', { class: 'before', 'data-testid': 'diff-before' }, mark(row.correctBefore), ' ', row.before),
    el('td', { class: 'arrow', 'aria-hidden': 'true' }, '→'),
    el('td', { class: 'after', 'data-testid': 'diff-after' }, mark(row.correctAfter), ' ', row.after),
    el(
      'td',
      { class: 'logprob', 'data-testid': 'diff-logprob' },
      bar(row.logprobBefore, 'before'),
      bar(row.logprobAfter, 'after'),
      el('span', { class: 'lp' }, `${lp(row.logprobBefore)} → ${lp(row.logprobAfter)}`),
    ),
    el('td', { class: `change ${row.change}` }, row.change),
  );
  tr.addEventListener('click', () => reveal(row));
  tr.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      reveal(row);
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const rows = Array.from(document.querySelectorAll<HTMLElement>('tr[data-testid="diff-row"]'));
      const i = rows.indexOf(tr) + (e.key === 'ArrowDown' ? 1 : -1);
      rows[Math.max(0, Math.min(rows.length - 1, i))]?.focus();
    }
  });
  return tr;
}

function toolbar(view: ViewState): HTMLElement {
  const filter = custom('vscode-textfield', {
    placeholder: 'Filter questions and answers',
    'aria-label': 'Filter questions and answers',
    'data-testid': 'diff-filter',
    value: view.text,
  });
  filter.addEventListener('input', () => setView({ text: (filter as HTMLInputElement).value ?? '' }));
  const sort = custom(
    'vscode-single-select',
    { 'aria-label': 'Sort rows', 'data-testid': 'diff-sort' },
    ...SORT_KEYS.map((k) => {
      const o = custom(
        'vscode-option',
        { value: k },
        `sort: ${k === 'file' ? 'file order' : k === 'delta' ? 'log-prob change' : k}`,
      );
      if (k === view.sort) o.setAttribute('selected', '');
      return o;
    }),
  );
  sort.addEventListener('change', () => setView({ sort: (sort as HTMLSelectElement).value as SortKey }));
  const direction = custom(
    'vscode-button',
    { secondary: '', 'data-testid': 'diff-sort-direction', 'aria-label': 'Reverse the order' },
    view.descending ? '↓ descending' : '↑ ascending',
  );
  direction.addEventListener('click', () => setView({ descending: !view.descending }));
  const groups = DIFF_GROUPS.map((g) => {
    const box = custom('vscode-checkbox', { label: g, 'data-testid': `diff-show-${g}` });
    if (view.groups.length === 0 || view.groups.includes(g)) box.setAttribute('checked', '');
    box.addEventListener('change', () => {
      const shown = new Set(view.groups.length === 0 ? DIFF_GROUPS : view.groups);
      if ((box as HTMLInputElement).checked) shown.add(g);
      else shown.delete(g);
      setView({ groups: shown.size === DIFF_GROUPS.length ? [] : DIFF_GROUPS.filter((x) => shown.has(x)) });
    });
    return box;
  });
  const changed = custom('vscode-checkbox', { label: 'changed only', 'data-testid': 'diff-changed-only' });
  if (view.changedOnly) changed.setAttribute('checked', '');
  changed.addEventListener('change', () => setView({ changedOnly: (changed as HTMLInputElement).checked }));
  const exportButton = (format: 'json' | 'markdown', label: string) => {
    const b = custom('vscode-button', { 'data-testid': `diff-export-${format}` }, label);
    b.addEventListener('click', () => vscode.postMessage({ type: 'export', format }));
    return b;
  };
  return el(
    'div',
    { class: 'toolbar', role: 'toolbar', 'aria-label': 'Rows' },
    filter,
    sort,
    direction,
    ...groups,
    changed,
    exportButton('json', 'Export JSON'),
    exportButton('markdown', 'Export Markdown'),
  );
}

function render(): void {
  const root = document.getElementById('root') as HTMLElement;
  // Keep focus on the filter while typing (re-rendering replaces the toolbar).
  const typing = document.activeElement?.getAttribute('data-testid') === 'diff-filter';
  root.replaceChildren();
  const report = state.report;
  if (!report) {
    root.append(
      el(
        'p',
        { 'data-testid': 'diff-empty', class: 'empty' },
        'No edit yet. Run "PropMEND: Apply Edit" on an edit spec or a dataset instance.',
      ),
    );
    return;
  }
  root.append(
    el('h1', { 'data-testid': 'diff-fact' }, report.fact),
    el(
      'p',
      { class: 'meta' },
      `${report.method} · ${report.source}${report.patchId ? ` · patch ${report.patchId}` : ''}`,
    ),
    el('p', { class: 'summary', 'data-testid': 'diff-summary', role: 'status' }, summaryLine(report)),
    toolbar(state.view),
  );
  const shown = visibleRows(report.rows, state.view);
  const grouped = state.view.sort === 'file' || state.view.sort === 'group';
  const sections: Array<[string, DiffRow[], string]> = grouped
    ? DIFF_GROUPS.map((g) => [GROUP_TITLES[g], shown.filter((r) => r.group === g), g])
    : [['All questions', shown, 'all']];
  for (const [title, rows, key] of sections) {
    if (rows.length === 0) continue;
    const score = report.scores.find((s) => s.group === key);
    const caption = score
      ? `${title}: ${score.rightBefore}/${score.total} → ${score.rightAfter}/${score.total} right`
      : title;
    root.append(
      el(
        'table',
        { 'data-testid': `diff-group-${key}`, 'aria-label': caption },
        el('caption', {}, caption),
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            ...['question', 'gold', 'before', '', 'after', 'gold log-prob before / after', 'change'].map(
              (h) => el('th', { scope: 'col' }, h),
            ),
          ),
        ),
        el('tbody', {}, ...rows.map(rowElement)),
      ),
    );
  }
  if (shown.length === 0)
    root.append(el('p', { class: 'empty', 'data-testid': 'diff-no-match' }, 'No row matches the filter.'));
  if (typing) (document.querySelector('[data-testid="diff-filter"]') as HTMLElement | null)?.focus();
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = readToWebview(event.data);
  if (!message) return;
  if (message.type === 'clear') save({ report: null });
  else save({ report: message.report });
});

render();
vscode.postMessage({ type: 'ready' });
