// The edit-spec form page (browser platform, bundled by esbuild.js into dist/webviews/spec-form.js): renders
// the state the custom editor posts (extension/editors/spec-form-editor.ts) with @vscode-elements/elements
// and posts intents back; it never holds the spec itself, so the text document stays the source of truth.
// A box being typed in is never overwritten by an update; rows are rebuilt only when their count changes.
import {
  listText,
  numberText,
  ownerKey,
  type Parsed,
  parseLayers,
  parseList,
  parseOptional,
  parsePositive,
  parseRequired,
  parseStop,
  parseTokens,
  pathKey,
  stopText,
} from './fields';
import {
  type FromSpecForm,
  MLP_MODULE_NAMES,
  type PathField,
  type QuestionRow,
  type RowList,
  readToSpecForm,
  type SpecFormState,
  type SpecFormValues,
  type SpecPath,
} from './messages';

interface VsCodeApi {
  postMessage(message: FromSpecForm): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const root = document.getElementById('root') as HTMLElement;
/** Text typed into a box is written this long after the last keystroke (and at once on Enter or blur). */
const TYPING_DEBOUNCE_MS = 300;
/** The elements whose `value` the form sets. */
const VALUE_TAGS = new Set(['VSCODE-TEXTFIELD', 'VSCODE-TEXTAREA', 'VSCODE-SINGLE-SELECT']);

type ValueElement = HTMLElement & { value: string; checked?: boolean };

interface Binding {
  readonly el: ValueElement;
  /** The element's text for the current values. */
  readonly show: (v: SpecFormValues) => string;
  /** Where a diagnostic about this field is listed. */
  readonly notes: HTMLElement;
}

let state: SpecFormState | null = null;
let shape = '';
let bindings = new Map<string, Binding>();
let ids = 0;
const pending = new Map<string, number>();

function post(message: FromSpecForm): void {
  vscode.postMessage(message);
}

function h(tag: string, attrs: Record<string, string> = {}, ...children: Array<Node | string>): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
}

function button(label: string, ariaLabel: string, testid: string, onClick: () => void, secondary = true) {
  const b = h('vscode-button', { 'aria-label': ariaLabel, title: ariaLabel, 'data-testid': testid }, label);
  if (secondary) b.setAttribute('secondary', '');
  b.addEventListener('click', onClick);
  return b;
}

/** Writes a box's text to `path` once parsed; a parse problem stays in the box's notes. */
function commit(key: string, path: SpecPath, parse: (text: string) => Parsed, text: string): void {
  const parsed = parse(text);
  const local = bindings.get(key)?.notes.querySelector('.local');
  if ('error' in parsed) {
    if (local) local.textContent = parsed.error;
    return;
  }
  if (local) local.textContent = '';
  post({ type: 'set', path, value: parsed.value });
}

/** A labelled text box bound to `path`. */
function textField(
  label: string,
  path: SpecPath,
  show: (v: SpecFormValues) => string,
  parse: (text: string) => Parsed,
  options: { multiline?: boolean; placeholder?: string; help?: string } = {},
): HTMLElement {
  const key = pathKey(path);
  const id = `f${++ids}`;
  const box = h(options.multiline ? 'vscode-textarea' : 'vscode-textfield', {
    id,
    'aria-label': label,
    'data-key': key,
    'data-testid': `field-${key}`,
    ...(options.placeholder ? { placeholder: options.placeholder } : {}),
    ...(options.multiline ? { rows: '2', resize: 'vertical' } : {}),
  }) as ValueElement;
  const flush = () => {
    const timer = pending.get(key);
    if (timer !== undefined) window.clearTimeout(timer);
    pending.delete(key);
    commit(key, path, parse, box.value ?? '');
  };
  box.addEventListener('input', () => {
    const timer = pending.get(key);
    if (timer !== undefined) window.clearTimeout(timer);
    pending.set(key, window.setTimeout(flush, TYPING_DEBOUNCE_MS));
  });
  box.addEventListener('change', () => {
    if (pending.has(key)) flush();
  });
  const notes = h('div', { class: 'notes', role: 'status' }, h('div', { class: 'local' }));
  bindings.set(key, { el: box, show, notes });
  const help = options.help ? h('div', { class: 'help' }, options.help) : '';
  return h('div', { class: 'field' }, h('vscode-label', { for: id }, label), box, help, notes);
}

/** A labelled select of fixed choices; `pick` turns the choice into the intent. */
function selectField(
  label: string,
  key: string,
  choices: ReadonlyArray<readonly [string, string]>,
  show: (v: SpecFormValues) => string,
  pick: (choice: string) => void,
  extra: Array<Node | string> = [],
): HTMLElement {
  const id = `f${++ids}`;
  const select = h(
    'vscode-single-select',
    { id, 'aria-label': label, 'data-key': key, 'data-testid': `field-${key}` },
    ...choices.map(([value, text]) => h('vscode-option', { value }, text)),
  ) as ValueElement;
  select.addEventListener('change', () => pick(select.value));
  const notes = h('div', { class: 'notes', role: 'status' }, h('div', { class: 'local' }));
  bindings.set(key, { el: select, show, notes });
  return h(
    'div',
    { class: 'field' },
    h('vscode-label', { for: id }, label),
    h('div', { class: 'inline' }, select, ...extra),
    notes,
  );
}

function pickButton(field: PathField, what: string): HTMLElement {
  return button('Browse…', `Choose the ${what}`, `pick-${field}`, () => post({ type: 'pick', field }));
}

function modelSection(): HTMLElement {
  const hypernetMode = (v: SpecFormValues) =>
    v.hypernetwork === null ? 'raw' : v.hypernetwork === undefined ? 'shipped' : 'file';
  return h(
    'section',
    { 'aria-labelledby': 'h-model' },
    h('h2', { id: 'h-model' }, 'Model and hypernetwork'),
    h(
      'div',
      { class: 'inline' },
      textField('Model folder', ['model'], (v) => v.model ?? '', parseOptional, {
        placeholder: 'empty: the shipped model',
        help: 'A Hugging Face folder (config.json, *.safetensors, tokenizer.json), relative to this file.',
      }),
      pickButton('model', 'model folder'),
    ),
    selectField(
      'Hypernetwork',
      'hypernetwork-mode',
      [
        ['shipped', 'The shipped one (for the shipped model)'],
        ['raw', 'None: a raw gradient step'],
        ['file', 'A checkpoint file'],
      ],
      hypernetMode,
      (choice) =>
        choice === 'shipped'
          ? post({ type: 'set', path: ['hypernetwork'], value: undefined })
          : choice === 'raw'
            ? post({ type: 'set', path: ['hypernetwork'], value: null })
            : post({ type: 'pick', field: 'hypernetwork' }),
    ),
    h(
      'div',
      { class: 'inline', 'data-show': 'hypernetwork-file' },
      textField('Hypernetwork checkpoint', ['hypernetwork'], (v) => v.hypernetwork ?? '', parseOptional),
      pickButton('hypernetwork', 'hypernetwork checkpoint'),
    ),
    h(
      'div',
      { class: 'inline' },
      textField('Knowledge base', ['kb'], (v) => v.kb ?? '', parseOptional, {
        placeholder: 'empty: the nearest *.kb.json',
      }),
      pickButton('kb', 'knowledge-base file'),
    ),
  );
}

function layersSection(): HTMLElement {
  const mode = (v: SpecFormValues) =>
    Array.isArray(v.layers) ? 'explicit' : typeof v.layers === 'string' ? v.layers : '';
  const modules = h('div', { class: 'inline', role: 'group', 'aria-label': 'Edited MLP matrices' });
  for (const m of MLP_MODULE_NAMES) {
    const box = h('vscode-checkbox', { label: m, 'data-testid': `module-${m}` }) as ValueElement;
    box.addEventListener('change', () => {
      const current = state?.values?.modules ?? [...MLP_MODULE_NAMES];
      const next = MLP_MODULE_NAMES.filter((x) => (x === m ? Boolean(box.checked) : current.includes(x)));
      post({
        type: 'set',
        path: ['modules'],
        value: next.length === MLP_MODULE_NAMES.length && !state?.values?.modules ? undefined : next,
      });
    });
    bindings.set(`modules.${m}`, {
      el: box,
      show: (v) => ((v.modules ?? MLP_MODULE_NAMES).includes(m) ? 'on' : ''),
      notes: h('div'),
    });
    modules.append(box);
  }
  const modulesNotes = h('div', { class: 'notes', role: 'status' });
  bindings.set('modules', { el: modules as ValueElement, show: () => '', notes: modulesNotes });
  return h(
    'section',
    { 'aria-labelledby': 'h-layers' },
    h('h2', { id: 'h-layers' }, 'Layers and step size'),
    selectField(
      'Layers',
      'layers-mode',
      [
        ['top', 'top: the last layers'],
        ['mid-upper', 'mid-upper: the middle-to-upper layers'],
        ['max', 'max: every layer the method allows'],
        ['explicit', 'Explicit layer indices'],
      ],
      mode,
      (choice) => {
        if (choice === 'explicit') {
          const count = state?.layerCount.ok ? state.layerCount.count : 1;
          post({ type: 'set', path: ['layers'], value: [count - 1] });
        } else post({ type: 'set', path: ['layers'], value: choice });
      },
    ),
    h(
      'div',
      { 'data-show': 'layers-explicit' },
      textField(
        'Layer indices (0-based, comma-separated)',
        ['layers'],
        (v) => (Array.isArray(v.layers) ? v.layers.join(', ') : ''),
        parseLayers,
      ),
    ),
    h('div', { class: 'help', 'data-testid': 'layer-count' }),
    h('div', { class: 'field' }, h('vscode-label', {}, 'Edited MLP matrices'), modules, modulesNotes),
    textField(
      'Edit learning-rate scale',
      ['edit_lr_scale'],
      (v) => numberText(v.editLrScale),
      parsePositive,
      {
        placeholder: '1',
        help: "Multiplies the hypernetwork's learned step sizes.",
      },
    ),
  );
}

function rowButtons(list: RowList, index: number, count: number, what: string): HTMLElement {
  const bar = h('div', { class: 'row-buttons' });
  const n = index + 1;
  if (index > 0)
    bar.append(
      button('↑', `Move ${what} ${n} up`, `up-${list}-${index}`, () =>
        post({ type: 'moveRow', list, index, by: -1 }),
      ),
    );
  if (index < count - 1)
    bar.append(
      button('↓', `Move ${what} ${n} down`, `down-${list}-${index}`, () =>
        post({ type: 'moveRow', list, index, by: 1 }),
      ),
    );
  bar.append(
    button('Remove', `Remove ${what} ${n}`, `remove-${list}-${index}`, () =>
      post({ type: 'removeRow', list, index }),
    ),
  );
  return bar;
}

function rowsSection(list: RowList, title: string, what: string, values: SpecFormValues): HTMLElement {
  const section = h('section', { 'aria-labelledby': `h-${list}` }, h('h2', { id: `h-${list}` }, title));
  const notes = h('div', { class: 'notes', role: 'status' });
  bindings.set(list, { el: section as ValueElement, show: () => '', notes });
  section.append(notes);
  const rows = values[list];
  rows.forEach((_, i) => {
    const row = h(
      'fieldset',
      { class: 'row', 'data-testid': `row-${list}-${i}` },
      h('legend', {}, `${what} ${i + 1}`),
    );
    const rowNotes = h('div', { class: 'notes', role: 'status' });
    bindings.set(`${list}.${i}`, { el: row as ValueElement, show: () => '', notes: rowNotes });
    const at = (k: string): SpecPath => [list, i, k];
    if (list === 'triples') {
      const t = (v: SpecFormValues) => v.triples[i];
      row.append(
        h(
          'div',
          { class: 'inline' },
          textField('Subject', at('subject'), (v) => t(v)?.subject ?? '', parseRequired),
          textField('Relation', at('relation'), (v) => t(v)?.relation ?? '', parseRequired),
          textField('Object', at('object'), (v) => t(v)?.object ?? '', parseRequired),
        ),
      );
    } else {
      const q = (v: SpecFormValues): QuestionRow | undefined => v[list][i];
      row.append(
        textField('Question', at('question'), (v) => q(v)?.question ?? '', parseRequired),
        h(
          'div',
          { class: 'inline' },
          textField(
            'Answer',
            at('answer'),
            (v) => q(v)?.answer ?? '',
            list === 'locality' ? parseOptional : parseRequired,
            list === 'locality' ? { placeholder: "empty: the unedited model's answer" } : {},
          ),
          textField('Aliases (comma-separated)', at('aliases'), (v) => listText(q(v)?.aliases), parseList),
        ),
        h(
          'div',
          { class: 'inline' },
          textField('Relation path (comma-separated)', at('path'), (v) => listText(q(v)?.path), parseList),
          list === 'locality'
            ? textField('Entity', at('entity'), (v) => q(v)?.entity ?? '', parseOptional)
            : selectField(
                'Answer in the fact (verbatim)',
                `${list}.${i}.verbatim`,
                [
                  ['unset', '(not set)'],
                  ['true', 'yes'],
                  ['false', 'no'],
                ],
                (v) => (q(v)?.verbatim === undefined ? 'unset' : String(q(v)?.verbatim)),
                (choice) =>
                  post({
                    type: 'set',
                    path: at('verbatim'),
                    value: choice === 'unset' ? undefined : choice === 'true',
                  }),
              ),
        ),
      );
    }
    row.append(rowButtons(list, i, rows.length, what.toLowerCase()), rowNotes);
    section.append(row);
  });
  section.append(
    button(`Add ${what.toLowerCase()}`, `Add a ${what.toLowerCase()}`, `add-${list}`, () =>
      post({ type: 'addRow', list }),
    ),
  );
  return section;
}

function build(values: SpecFormValues, file: string): void {
  bindings = new Map();
  ids = 0;
  const general = h('div', { class: 'notes general', role: 'status', 'data-testid': 'notes-general' });
  bindings.set('', { el: root as ValueElement, show: () => '', notes: general });
  root.replaceChildren(
    h(
      'header',
      {},
      h('h1', {}, file),
      h(
        'div',
        { class: 'inline' },
        button(
          'Apply edit',
          'Apply this edit to the model and open the propagation diff',
          'apply',
          () => post({ type: 'apply' }),
          false,
        ),
        button('Open as Text', 'Open this spec in the text editor', 'open-text', () =>
          post({ type: 'openText' }),
        ),
      ),
    ),
    general,
    h(
      'section',
      { 'aria-labelledby': 'h-fact' },
      h('h2', { id: 'h-fact' }, 'Fact'),
      textField('Fact', ['fact'], (v) => v.fact, parseRequired, {
        multiline: true,
        help: 'The new fact the edit injects; it must name the subject.',
      }),
      h(
        'div',
        { class: 'inline' },
        textField('Subject', ['subject'], (v) => v.subject, parseRequired),
        textField('Subject type', ['subject_type'], (v) => v.subjectType, parseOptional),
      ),
    ),
    rowsSection('triples', 'Triples the fact asserts', 'Triple', values),
    rowsSection('propagation', 'Propagation questions', 'Propagation question', values),
    rowsSection('locality', 'Locality questions (must not change)', 'Locality question', values),
    modelSection(),
    layersSection(),
    h(
      'section',
      { 'aria-labelledby': 'h-generation' },
      h('h2', { id: 'h-generation' }, 'Generation'),
      h(
        'div',
        { class: 'inline' },
        textField(
          'Max new tokens',
          ['generation', 'max_new_tokens'],
          (v) => numberText(v.maxNewTokens),
          parseTokens,
          { placeholder: '20' },
        ),
        textField(
          'Stop strings (comma-separated, \\n for a newline)',
          ['generation', 'stop'],
          (v) => stopText(v.stop),
          parseStop,
        ),
        textField(
          'Prompt template',
          ['generation', 'prompt_template'],
          (v) => v.promptTemplate ?? '',
          parseOptional,
          { placeholder: '{question}' },
        ),
      ),
    ),
  );
}

function showNotes(s: SpecFormState): void {
  for (const b of bindings.values())
    for (const n of Array.from(b.notes.querySelectorAll('.diag'))) n.remove();
  const keys = new Set(bindings.keys());
  const place = (path: SpecPath, severity: string, text: string) => {
    const key = ownerKey(path, keys);
    let target = bindings.get(key)?.notes;
    // A field hidden by its mode (explicit layers, a hypernetwork file) shows its notes at the mode select.
    if (target?.closest('[hidden]')) target = bindings.get(`${key}-mode`)?.notes ?? bindings.get('')?.notes;
    target?.append(h('div', { class: `diag ${severity}`, 'data-testid': 'diagnostic' }, text));
  };
  for (const d of s.diagnostics) place(d.path, d.severity, `${d.message} (${d.source}, line ${d.line})`);
  for (const p of s.layerProblems) place(['layers'], 'error', p);
}

function render(s: SpecFormState): void {
  state = s;
  if (!s.values) {
    shape = 'error';
    bindings = new Map();
    const e = s.parseError;
    root.replaceChildren(
      h('h1', {}, s.file),
      h(
        'div',
        { class: 'diag error', role: 'alert', 'data-testid': 'parse-error' },
        `Line ${(e?.line ?? 0) + 1}, column ${(e?.character ?? 0) + 1}: ${e?.message ?? 'not an edit spec'}. The form edits nothing until the text parses; fix it as text.`,
      ),
      button(
        'Open as Text',
        'Open this spec in the text editor',
        'open-text',
        () => post({ type: 'openText' }),
        false,
      ),
    );
    return;
  }
  const values = s.values;
  const next = `${values.triples.length}/${values.propagation.length}/${values.locality.length}`;
  if (next !== shape) {
    const focused = (document.activeElement as HTMLElement | null)?.dataset?.['key'];
    build(values, s.file);
    shape = next;
    if (focused) bindings.get(focused)?.el.focus();
  }
  for (const [key, b] of bindings) {
    if (b.el === document.activeElement || pending.has(key)) continue;
    const text = b.show(values);
    // By tag, not `'value' in el`: an element not yet upgraded by the elements bundle has no accessor yet, and
    // Lit takes a property set before the upgrade over when it upgrades.
    if (b.el.tagName === 'VSCODE-CHECKBOX') b.el.checked = text === 'on';
    else if (VALUE_TAGS.has(b.el.tagName) && b.el.value !== text) b.el.value = text;
  }
  const hypernetFile = values.hypernetwork !== null && values.hypernetwork !== undefined;
  for (const el of Array.from(root.querySelectorAll<HTMLElement>('[data-show]'))) {
    const when = el.dataset['show'];
    el.hidden = when === 'hypernetwork-file' ? !hypernetFile : !Array.isArray(values.layers);
  }
  const count = root.querySelector('[data-testid=layer-count]');
  if (count)
    count.textContent = s.layerCount.ok
      ? `The model has ${s.layerCount.count} layers (0 to ${s.layerCount.count - 1}), from ${s.layerCount.from}.`
      : `Layer count unknown: ${s.layerCount.reason}.`;
  showNotes(s);
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = readToSpecForm(event.data);
  if (message) render(message.state);
});
// The elements bundle is a module script (deferred) and ours is not: ask for the state once its elements are
// defined, or after a short wait (values set before the upgrade are kept, so a slow bundle loses nothing).
const ELEMENTS_WAIT_MS = 2_000;
void Promise.race([
  Promise.all(
    ['vscode-textfield', 'vscode-textarea', 'vscode-single-select'].map((t) => customElements.whenDefined(t)),
  ),
  new Promise((done) => window.setTimeout(done, ELEMENTS_WAIT_MS)),
]).then(() => post({ type: 'ready' }));
