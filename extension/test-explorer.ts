// The Test Explorer for datasets: a TestController listing each *.ripple.jsonl file, an item per instance
// and a child per question (ranges on the question), refreshed when a file changes. Running an instance
// applies its edit in the sidecar, reports each question passed or failed with the answer, then reverts the
// edit so a test run leaves the model as it was; running a file runs each instance alone, in order.
import { basename } from 'node:path';
import {
  type CancellationToken,
  type Disposable,
  Location,
  Position,
  Range,
  type TestController,
  type TestItem,
  TestMessage,
  type TestRun,
  TestRunProfileKind,
  type TestRunRequest,
  type TextDocument,
  tests,
  Uri,
  workspace,
} from 'vscode';
import { ApplyEditRequest, type LoadModelParams, RevertRequest } from '../server/protocol';
import type { InlineResults } from './inline-results';
import { describeFailure, type RuntimeAccess, type RuntimeProgress, withModel } from './runtime-client';
import { buildDiffReport, matchQuestions } from './views/diff-report';
import { type LocatedInstance, locateDataset } from './views/question-locations';
import { leafId, testTree } from './views/test-tree';

const DATASET_GLOB = '**/*.ripple.jsonl';

export class DatasetTests implements Disposable {
  private readonly controller: TestController;
  private readonly disposables: Disposable[] = [];
  /** The located instances of each file item, by instance item id. */
  private readonly instances = new Map<string, { file: string; instance: LocatedInstance }>();

  constructor(
    private readonly runtime: RuntimeAccess,
    private readonly inline: InlineResults,
    private readonly model: () => LoadModelParams,
  ) {
    this.controller = tests.createTestController('propmend', 'PropMEND');
    this.controller.resolveHandler = async (item) => {
      if (!item) await this.discover();
    };
    this.controller.refreshHandler = () => this.discover();
    this.controller.createRunProfile(
      'Apply and check',
      TestRunProfileKind.Run,
      (r, t) => this.run(r, t),
      true,
    );
    const watcher = workspace.createFileSystemWatcher(DATASET_GLOB);
    this.disposables.push(
      this.controller,
      watcher,
      watcher.onDidCreate((u) => this.refreshFile(u)),
      watcher.onDidChange((u) => this.refreshFile(u)),
      watcher.onDidDelete((u) => this.controller.items.delete(u.fsPath)),
      workspace.onDidOpenTextDocument((d) => this.refreshDocument(d)),
      workspace.onDidChangeTextDocument((e) => this.refreshDocument(e.document)),
    );
  }

  private async discover(): Promise<void> {
    const files = await workspace.findFiles(DATASET_GLOB, '**/node_modules/**', 200);
    for (const uri of files) await this.refreshFile(uri);
  }

  private async refreshFile(uri: Uri): Promise<void> {
    const open = workspace.textDocuments.find((d) => d.uri.fsPath === uri.fsPath);
    if (open) return this.refreshDocument(open);
    try {
      const bytes = await workspace.fs.readFile(uri);
      this.fill(uri, new TextDecoder().decode(bytes));
    } catch {
      this.controller.items.delete(uri.fsPath);
    }
  }

  private async refreshDocument(doc: TextDocument): Promise<void> {
    if (doc.uri.scheme === 'file' && doc.uri.fsPath.endsWith('.ripple.jsonl'))
      this.fill(doc.uri, doc.getText());
  }

  /** Rebuilds one file's items from its text; ids are stable, so results stay on unchanged instances. */
  private fill(uri: Uri, text: string): void {
    const file = uri.fsPath;
    let fileItem = this.controller.items.get(file);
    if (!fileItem) {
      fileItem = this.controller.createTestItem(file, basename(file), uri);
      this.controller.items.add(fileItem);
    }
    const located = locateDataset(text);
    const nodes = testTree(file, located);
    for (const id of [...this.instances.keys()])
      if (this.instances.get(id)?.file === file) this.instances.delete(id);
    fileItem.children.replace(
      nodes.map((node, i) => {
        const item = this.controller.createTestItem(node.id, node.label, uri);
        item.range = new Range(node.line, 0, node.line, 0);
        item.children.replace(
          node.children.map((leaf) => {
            const child = this.controller.createTestItem(leaf.id, leaf.label, uri);
            child.range = new Range(leaf.line, leaf.character, leaf.line, leaf.character);
            return child;
          }),
        );
        this.instances.set(node.id, { file, instance: located[i] as LocatedInstance });
        return item;
      }),
    );
  }

  /** The instance items a request means: a file's instances, an instance, or a question's instance. */
  private instanceItems(request: TestRunRequest): TestItem[] {
    const out: TestItem[] = [];
    const add = (item: TestItem) => {
      if (this.instances.has(item.id)) {
        if (!out.includes(item)) out.push(item);
      } else if (item.parent && this.instances.has(item.parent.id)) add(item.parent);
      else item.children.forEach(add);
    };
    if (request.include) for (const item of request.include) add(item);
    else this.controller.items.forEach(add);
    return out.filter((i) => !request.exclude?.includes(i));
  }

  private async run(request: TestRunRequest, token: CancellationToken): Promise<void> {
    const run = this.controller.createTestRun(request);
    const items = this.instanceItems(request);
    for (const item of items) {
      run.enqueued(item);
      item.children.forEach((c) => {
        run.enqueued(c);
      });
    }
    for (const item of items) {
      if (token.isCancellationRequested) {
        run.skipped(item);
        item.children.forEach((c) => {
          run.skipped(c);
        });
        continue;
      }
      await this.runInstance(run, item, token);
    }
    run.end();
  }

  private async runInstance(run: TestRun, item: TestItem, token: CancellationToken): Promise<void> {
    const entry = this.instances.get(item.id);
    const runtime = this.runtime();
    if (!entry || !runtime) {
      run.errored(
        item,
        new TestMessage('the PropMEND runtime is not available (see the PropMEND Runtime output)'),
      );
      return;
    }
    const { file, instance } = entry;
    run.started(item);
    item.children.forEach((c) => {
      run.started(c);
    });
    const abort = new AbortController();
    const sub = token.onCancellationRequested(() => abort.abort());
    const label = `${basename(file)}:${instance.line + 1}`;
    try {
      const options = {
        signal: abort.signal,
        onProgress: (p: RuntimeProgress) => run.appendOutput(`${label}: ${p.message}\r\n`),
      };
      const result = await withModel(
        runtime,
        this.model,
        () =>
          runtime.request(
            ApplyEditRequest,
            { source: { kind: 'instance', file, line: instance.line + 1 } },
            options,
          ),
        options,
      );
      // A test run leaves the model as it was: take this edit off the stack again.
      await runtime.request(RevertRequest, { id: result.patch.id });
      if (result.patch.position > 1)
        run.appendOutput(
          `${label}: answered on top of ${result.patch.position - 1} edit(s) applied earlier in this session (Revert All Edits to test on the unedited model)\r\n`,
          undefined,
          item,
        );
      const records = result.report.questions;
      const places = matchQuestions(records, instance.questions);
      records.forEach((r, i) => {
        const q = places[i];
        const child = q ? item.children.get(leafId(item.id, q.list, q.index)) : undefined;
        if (!child) return;
        const where = new Location(Uri.file(file), new Position(q?.line ?? 0, q?.character ?? 0));
        run.appendOutput(
          `${r.correct_after ? '✓' : '✗'} ${r.question} → ${r.after} (gold ${r.gold ?? '—'})\r\n`,
          where,
          child,
        );
        if (r.correct_after === true) run.passed(child);
        else {
          const message = TestMessage.diff(`answered "${r.after}"`, r.gold ?? '', r.after);
          message.location = where;
          run.failed(child, message);
        }
      });
      const report = buildDiffReport(result, { file, label, instance });
      this.inline.show(file, instance, report);
      const allRight = records.every((r) => r.correct_after === true);
      if (allRight) run.passed(item, result.elapsed_ms);
      else {
        const wrong = records.filter((r) => r.correct_after !== true).length;
        run.failed(
          item,
          new TestMessage(`${wrong} of ${records.length} questions wrong after the edit`),
          result.elapsed_ms,
        );
      }
    } catch (error) {
      const f = describeFailure(error);
      if (f.cancelled) {
        run.skipped(item);
        item.children.forEach((c) => {
          run.skipped(c);
        });
      } else {
        run.errored(item, new TestMessage(f.message));
        item.children.forEach((c) => {
          run.skipped(c);
        });
      }
    } finally {
      sub.dispose();
    }
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
