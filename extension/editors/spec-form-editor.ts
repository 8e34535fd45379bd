// The edit-spec form: a CustomTextEditorProvider for `*.edit.json`, so the TextDocument stays the source of
// truth (undo/redo, dirty state, save, revert and "Open as Text" are the text editor's). The page posts
// intents; this adapter turns each into one WorkspaceEdit computed by extension/views/spec-form-edits.ts and
// posts the state derived from the new text, its diagnostics and the model's layer count. Owns the panel's
// wiring only: no JSON logic here, and it reaches the runtime only through the `propmend.applyEdit` command.
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import {
  type CancellationToken,
  type CustomTextEditorProvider,
  commands,
  type Diagnostic,
  DiagnosticSeverity,
  type Disposable,
  type ExtensionContext,
  languages,
  Range,
  type TextDocument,
  Uri,
  type WebviewPanel,
  WorkspaceEdit,
  window,
  workspace,
} from 'vscode';
import {
  type FromSpecForm,
  type LayerCount,
  type PathField,
  readFromSpecForm,
  type ToSpecForm,
} from '../../webviews/spec-form/messages';
import {
  layerCountFromConfig,
  type OffsetDiagnostic,
  parseSpec,
  relativeSpecPath,
  specFormState,
} from '../views/spec-form';
import { intentEdits } from '../views/spec-form-edits';
import { loadBundledPage } from '../webview-page';

export const SPEC_FORM_VIEW_TYPE = 'propmend.specForm';
/** Text changes and diagnostics arrive in bursts while typing; the page is updated once per burst. */
const UPDATE_DEBOUNCE_MS = 60;
/** A config.json larger than this is not a model config; it is not read. */
const MAX_CONFIG_BYTES = 1 << 20;

const SEVERITY: Record<DiagnosticSeverity, OffsetDiagnostic['severity']> = {
  [DiagnosticSeverity.Error]: 'error',
  [DiagnosticSeverity.Warning]: 'warning',
  [DiagnosticSeverity.Information]: 'information',
  [DiagnosticSeverity.Hint]: 'hint',
};

function sourceOf(d: Diagnostic): string {
  const code = typeof d.code === 'object' ? d.code.value : d.code;
  // VS Code's JSON service sets neither (the Problems view names it by its owner, "json").
  if (code === undefined) return d.source ?? 'json';
  return String(code).includes('/') || !d.source ? String(code) : `${d.source}/${code}`;
}

export class SpecFormEditorProvider implements CustomTextEditorProvider {
  private readonly layerCache = new Map<string, { mtimeMs: number; count: LayerCount }>();

  private constructor(private readonly context: ExtensionContext) {}

  /** The custom editor (an option beside the text editor) and the commands that switch between the two. */
  static register(context: ExtensionContext): Disposable[] {
    const provider = new SpecFormEditorProvider(context);
    const target = (arg: unknown): Uri | undefined =>
      arg instanceof Uri ? arg : window.activeTextEditor?.document.uri;
    return [
      window.registerCustomEditorProvider(SPEC_FORM_VIEW_TYPE, provider, {
        supportsMultipleEditorsPerDocument: true,
      }),
      commands.registerCommand('propmend.openSpecForm', (arg?: unknown) => {
        const uri = target(arg);
        if (!uri?.path.endsWith('.edit.json')) {
          void window.showWarningMessage('PropMEND: open an edit spec (*.edit.json) first');
          return;
        }
        return commands.executeCommand('vscode.openWith', uri, SPEC_FORM_VIEW_TYPE);
      }),
      commands.registerCommand('propmend.openSpecAsText', (arg?: unknown) => {
        const uri = arg instanceof Uri ? arg : provider.activeUri;
        if (uri) return commands.executeCommand('vscode.openWith', uri, 'default');
      }),
    ];
  }

  /** The document of the form that last had focus, for "Open as Text" from the palette or title bar. */
  private activeUri: Uri | undefined;

  async resolveCustomTextEditor(
    document: TextDocument,
    panel: WebviewPanel,
    _token: CancellationToken,
  ): Promise<void> {
    loadBundledPage(panel.webview, this.context, {
      bundle: 'spec-form',
      title: 'PropMEND: Edit Spec',
      rootTestId: 'spec-form-root',
    });
    const key = document.uri.toString();
    let timer: NodeJS.Timeout | undefined;
    const update = () => {
      timer = undefined;
      const message: ToSpecForm = { type: 'update', state: this.state(document) };
      void panel.webview.postMessage(message);
    };
    const schedule = () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(update, UPDATE_DEBOUNCE_MS);
    };
    // Intents run one at a time: each is computed on the text the previous one left.
    let queue: Promise<void> = Promise.resolve();
    if (panel.active) this.activeUri = document.uri;
    const subscriptions: Disposable[] = [
      workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.toString() === key && e.contentChanges.length) schedule();
      }),
      languages.onDidChangeDiagnostics((e) => {
        if (e.uris.some((u) => u.toString() === key)) schedule();
      }),
      panel.onDidChangeViewState(() => {
        if (panel.active) this.activeUri = document.uri;
      }),
      panel.webview.onDidReceiveMessage((raw: unknown) => {
        const intent = readFromSpecForm(raw);
        if (!intent) return; // not ours: never acted on
        queue = queue
          .then(() => this.receive(document, panel, intent, update))
          .catch((error: unknown) => {
            void window.showErrorMessage(
              `PropMEND: the form could not change ${basename(document.uri.fsPath)}: ${(error as Error).message}`,
            );
          });
      }),
    ];
    panel.onDidDispose(() => {
      if (timer) clearTimeout(timer);
      for (const d of subscriptions) d.dispose();
    });
  }

  private async receive(
    document: TextDocument,
    panel: WebviewPanel,
    intent: FromSpecForm,
    update: () => void,
  ): Promise<void> {
    switch (intent.type) {
      case 'ready':
        update();
        return;
      case 'apply':
        await this.applyEdit(document);
        return;
      case 'openText':
        await commands.executeCommand('vscode.openWith', document.uri, 'default', panel.viewColumn);
        return;
      case 'pick':
        await this.pick(document, intent.field);
        update(); // a cancelled dialog puts the page's selects back
        return;
      default:
        await this.edit(document, intent);
    }
  }

  /** One intent as one WorkspaceEdit (one undo step); refusals are a warning and leave the text alone. */
  private async edit(document: TextDocument, intent: FromSpecForm): Promise<void> {
    const result = intentEdits(document.getText(), intent);
    if (!result.ok) {
      void window.showWarningMessage(`PropMEND: ${basename(document.uri.fsPath)}: ${result.reason}`);
      return;
    }
    if (result.edits.length === 0) return;
    const edit = new WorkspaceEdit();
    for (const e of result.edits) {
      const range = new Range(document.positionAt(e.offset), document.positionAt(e.offset + e.length));
      edit.replace(document.uri, range, e.content);
    }
    await workspace.applyEdit(edit);
  }

  private async pick(document: TextDocument, field: PathField): Promise<void> {
    const dir = dirname(document.uri.fsPath);
    const chosen = await window.showOpenDialog({
      defaultUri: Uri.file(dir),
      canSelectMany: false,
      canSelectFolders: field === 'model',
      canSelectFiles: field !== 'model',
      title:
        field === 'model'
          ? 'Model folder (config.json, *.safetensors, tokenizer.json)'
          : field === 'hypernetwork'
            ? 'Hypernetwork checkpoint'
            : 'Knowledge-base file',
      ...(field === 'hypernetwork'
        ? { filters: { 'Hypernetwork checkpoint': ['safetensors'] } }
        : field === 'kb'
          ? { filters: { 'Knowledge base': ['json'] } }
          : {}),
    });
    const picked = chosen?.[0];
    if (!picked) return;
    await this.edit(document, { type: 'set', path: [field], value: relativeSpecPath(dir, picked.fsPath) });
  }

  /** Saves when needed (the runtime reads the file from disk), then runs the editing loop's command. */
  private async applyEdit(document: TextDocument): Promise<void> {
    if (document.isDirty && !(await document.save())) {
      void window.showWarningMessage(
        `PropMEND: ${basename(document.uri.fsPath)} was not saved; the edit did not run`,
      );
      return;
    }
    await commands.executeCommand('propmend.applyEdit', { file: document.uri.fsPath, line: 0 });
  }

  private state(document: TextDocument) {
    const text = document.getText();
    const diagnostics: OffsetDiagnostic[] = languages.getDiagnostics(document.uri).map((d) => ({
      offset: document.offsetAt(d.range.start),
      severity: SEVERITY[d.severity],
      message: d.message,
      source: sourceOf(d),
    }));
    const model = parseSpec(text).values?.model;
    return specFormState(basename(document.uri.fsPath), text, diagnostics, this.layerCount(document, model));
  }

  /** The layer count of the spec's model (the shipped one when `model` is absent), from its config.json. */
  private layerCount(document: TextDocument, model: string | undefined): LayerCount {
    const folder = model
      ? resolve(dirname(document.uri.fsPath), model)
      : this.context.asAbsolutePath(join('assets', 'models', 'tiny-world'));
    const config = join(folder, 'config.json');
    const shown = model ? `${model}/config.json` : 'the shipped model (tiny-world)';
    let mtimeMs: number;
    try {
      const stat = statSync(config);
      if (!stat.isFile()) return { ok: false, reason: `${shown} is not a file` };
      if (stat.size > MAX_CONFIG_BYTES)
        return { ok: false, reason: `${shown} is over 1 MiB, not a model config` };
      mtimeMs = stat.mtimeMs;
    } catch {
      return { ok: false, reason: `${shown} does not exist` };
    }
    const cached = this.layerCache.get(config);
    if (cached?.mtimeMs === mtimeMs) return cached.count;
    let count: LayerCount;
    try {
      count = layerCountFromConfig(readFileSync(config, 'utf8'), shown);
    } catch (error) {
      count = { ok: false, reason: `${shown} cannot be read: ${(error as Error).message}` };
    }
    this.layerCache.set(config, { mtimeMs, count });
    return count;
  }
}
