// Results in the dataset and spec editors: a ✓/✗ decoration after each question (with the after-answer when
// wrong) and its hover, the `Apply edit · Evaluate · Show diff` CodeLens over each instance, and stale
// results dropped when their line changes. Owns the decorations and the lens provider; the texts come from
// views/inline-results.ts.
import {
  type CodeLens,
  type CodeLensProvider,
  type DecorationOptions,
  type Disposable,
  EventEmitter,
  MarkdownString,
  Position,
  Range,
  type TextDocument,
  type TextEditor,
  ThemeColor,
  CodeLens as VsCodeLens,
  window,
  workspace,
} from 'vscode';
import type { DiffReport } from '../webviews/diff/messages';
import {
  afterChange,
  END_OF_LINE,
  type InlineResult,
  inlineResults,
  instanceLenses,
} from './views/inline-results';
import { type LocatedInstance, locateDataset, locateSpec } from './views/question-locations';

export class InlineResults implements CodeLensProvider, Disposable {
  private readonly results = new Map<string, InlineResult[]>();
  /** The report of each instance, by file and the instance's line, for `Show diff`. */
  private readonly reports = new Map<string, Map<number, DiffReport>>();
  private readonly lensesChanged = new EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.lensesChanged.event;
  private readonly disposables: Disposable[] = [];
  private readonly okType = window.createTextEditorDecorationType({
    after: { margin: '0 0 0 1.5em', color: new ThemeColor('testing.iconPassed') },
  });
  private readonly badType = window.createTextEditorDecorationType({
    after: { margin: '0 0 0 1.5em', color: new ThemeColor('testing.iconFailed') },
  });

  constructor() {
    this.disposables.push(
      this.okType,
      this.badType,
      this.lensesChanged,
      window.onDidChangeVisibleTextEditors((editors) => {
        for (const e of editors) this.paint(e);
      }),
      workspace.onDidChangeTextDocument((e) => {
        const file = e.document.uri.fsPath;
        const kept = this.results.get(file);
        if (!kept || e.contentChanges.length === 0) return;
        let next = kept;
        for (const c of e.contentChanges)
          next = afterChange(next, {
            startLine: c.range.start.line,
            endLine: c.range.end.line,
            newLines: c.text.split('\n').length,
          });
        this.results.set(file, next);
        if (next.length < kept.length) this.reports.delete(file); // the diff no longer matches the text
        this.repaint(file);
      }),
    );
  }

  /** Shows a report's rows in its file and remembers it for the instance at `instanceLine`. */
  show(file: string, instance: LocatedInstance, report: DiffReport): void {
    const instanceLine = instance.line;
    const fresh = inlineResults(report.rows, file, report.method, instance.questions);
    const lines = new Set(fresh.map((r) => r.line));
    // A new result on a line replaces the old one there; other instances keep theirs.
    const kept = (this.results.get(file) ?? []).filter((r) => !lines.has(r.line));
    this.results.set(file, [...kept, ...fresh]);
    const byLine = this.reports.get(file) ?? new Map<number, DiffReport>();
    byLine.set(instanceLine, report);
    this.reports.set(file, byLine);
    this.repaint(file);
  }

  reportAt(file: string, instanceLine: number): DiffReport | undefined {
    return this.reports.get(file)?.get(instanceLine);
  }

  /** Drops every result (after a revert: the model no longer answers that way). */
  clearAll(): void {
    const files = [...this.results.keys()];
    this.results.clear();
    this.reports.clear();
    for (const f of files) this.repaint(f);
  }

  private repaint(file: string): void {
    for (const e of window.visibleTextEditors) if (e.document.uri.fsPath === file) this.paint(e);
    this.lensesChanged.fire();
  }

  private paint(editor: TextEditor): void {
    const all = this.results.get(editor.document.uri.fsPath) ?? [];
    const options = (ok: boolean) =>
      all
        .filter((r) => (r.ok === true) === ok)
        .map((r): DecorationOptions => {
          // In a dataset all questions share a line: the text goes after each question object.
          const end = editor.document.lineAt(Math.min(r.line, editor.document.lineCount - 1)).range.end;
          const where = r.character === END_OF_LINE ? end : new Position(r.line, r.character);
          return {
            range: new Range(where, where),
            hoverMessage: new MarkdownString(r.hover),
            renderOptions: { after: { contentText: r.text } },
          };
        });
    editor.setDecorations(this.okType, options(true));
    editor.setDecorations(this.badType, options(false));
  }

  provideCodeLenses(document: TextDocument): CodeLens[] {
    const file = document.uri.fsPath;
    const text = document.getText();
    const instances = file.endsWith('.edit.json')
      ? [locateSpec(text)].filter((x) => x !== undefined)
      : locateDataset(text);
    return instanceLenses(instances, (line) => this.reports.get(file)?.has(line) ?? false).map(
      (l) =>
        new VsCodeLens(new Range(l.line, 0, l.line, 0), {
          title: l.title,
          command: l.command,
          tooltip: l.tooltip,
          arguments: [{ file, line: l.line }],
        }),
    );
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
