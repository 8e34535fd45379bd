// The language status item for the dataset checker: shown next to the language mode of dataset, KB and
// edit-spec files, saying whether the language server runs and what it found; click opens its output.
// Owns the item only; the words come from views/lsp-status.ts, the client from main.ts.
import {
  DiagnosticSeverity,
  type Disposable,
  type DocumentSelector,
  LanguageStatusSeverity,
  languages,
} from 'vscode';
import { type LanguageClient, State } from 'vscode-languageclient/node';
import { DIAGNOSTIC_SOURCE, DOCUMENT_SELECTOR } from './selectors';
import { type DiagnosticCounts, lspStatus, type ServerState } from './views/lsp-status';

const SEVERITY = {
  information: LanguageStatusSeverity.Information,
  warning: LanguageStatusSeverity.Warning,
  error: LanguageStatusSeverity.Error,
} as const;

function counts(): DiagnosticCounts {
  let errors = 0;
  let warnings = 0;
  let files = 0;
  for (const [, diags] of languages.getDiagnostics()) {
    const ours = diags.filter((d) => d.source === DIAGNOSTIC_SOURCE);
    if (ours.length === 0) continue;
    files++;
    for (const d of ours) {
      if (d.severity === DiagnosticSeverity.Error) errors++;
      else if (d.severity === DiagnosticSeverity.Warning) warnings++;
    }
  }
  return { errors, warnings, files };
}

function stateOf(s: State): ServerState {
  return s === State.Running ? 'running' : s === State.Starting ? 'starting' : 'stopped';
}

/** Creates the item and keeps it current; the disposables end with the extension. */
export function languageStatus(client: LanguageClient): Disposable[] {
  const item = languages.createLanguageStatusItem('propmend.checker', DOCUMENT_SELECTOR as DocumentSelector);
  item.name = 'PropMEND checker';
  item.command = { title: 'Show output', command: 'propmend.showCheckerOutput' };
  let state: ServerState = stateOf(client.state);
  const render = () => {
    const view = lspStatus(state, counts());
    item.text = view.text;
    item.detail = view.detail;
    item.severity = SEVERITY[view.severity];
    item.busy = view.busy;
  };
  render();
  return [
    item,
    client.onDidChangeState((e) => {
      state = stateOf(e.newState);
      render();
    }),
    languages.onDidChangeDiagnostics(render),
  ];
}
