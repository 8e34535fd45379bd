// The PropMEND language server over stdio (`node dist/lsp.js --stdio`): incremental sync, debounced
// diagnostics from the checking engine, and completion, hover, definition, quick fixes and symbols.
// Owns the LSP wiring only; checking is server/lsp/check, LSP shapes are made in features/protocol.ts.
import { dirname, isAbsolute, resolve } from 'node:path';
import {
  CodeActionKind,
  createConnection,
  type InitializeResult,
  ProposedFeatures,
  StreamMessageWriter,
  TextDocumentSyncKind,
  TextDocuments,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { CheckSession } from './check/session';
import type { CheckSettings } from './check/types';
import { internalErrorDiagnostic } from './diagnostics/internal-error';
import { checkedLine, editorDiagnostics, kbLine, settingsLine, startLine } from './features/editor-view';
import { ResyncingMessageReader } from './features/framing';
import {
  completion,
  type DocumentRef,
  definition,
  documentSymbols,
  hover,
  kbForDocument,
  kbResultForDocument,
} from './features/language';
import { overlaySource } from './features/overlay';
import { codeActionsFor, pathToUri, toLspDiagnostic, uriToPath } from './features/protocol';

/** Quiet time after the last keystroke before a document is re-checked. */
const DEBOUNCE_MS = 150;
const SERVER_VERSION = '0.1.0';

const connection = createConnection(
  ProposedFeatures.all,
  new ResyncingMessageReader(process.stdin, (why) =>
    process.stderr.write(`propmend: dropped a message: ${why}\n`),
  ),
  new StreamMessageWriter(process.stdout),
);
const documents = new TextDocuments(TextDocument);
let root: string | undefined;
let settings: CheckSettings = {};
let session = new CheckSession({ source: overlaySource(documents) });

/** Settings from the client (`propmend.*`), with relative paths resolved against the workspace root. */
function readSettings(raw: unknown): CheckSettings {
  const s = (raw ?? {}) as Record<string, unknown>;
  const path = (v: unknown) =>
    typeof v === 'string' && v.trim() !== ''
      ? isAbsolute(v)
        ? v
        : resolve(root ?? process.cwd(), v)
      : undefined;
  const positive = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined);
  const out: Record<string, unknown> = {
    // `propmend.knowledgeBase`; `propmend.kb` is its name before 0.1.0 and still read.
    kb: path(s.knowledgeBase) ?? path(s.kb),
    tokenizer: path(s.tokenizer),
    maxNewTokens: positive(s.maxNewTokens),
    context: positive(s.context),
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as CheckSettings;
}

function ref(uri: string): DocumentRef | undefined {
  const doc = documents.get(uri);
  const path = uriToPath(uri);
  if (!doc || !path) return undefined;
  const text = doc.getText();
  const kind = session.kindOf(path, text.slice(0, 4096));
  return kind ? { path, kind, text } : undefined;
}

const timers = new Map<string, NodeJS.Timeout>();
/** Lines logged before the client is initialized (its console is not ready during initialize). */
const pendingLog: string[] = [];

function schedule(uri: string, cascade: boolean): void {
  clearTimeout(timers.get(uri));
  timers.set(
    uri,
    setTimeout(() => {
      timers.delete(uri);
      void validate(uri, cascade);
    }, DEBOUNCE_MS),
  );
}

/** Checks one open document and publishes; `cascade` re-checks open documents that depend on it. */
async function validate(uri: string, cascade: boolean): Promise<void> {
  const doc = documents.get(uri);
  const r = ref(uri);
  if (!doc || !r) return;
  const version = doc.version;
  try {
    const started = performance.now();
    const report = await session.check(r.path, { text: r.text, kind: r.kind });
    connection.console.log(checkedLine(r.path, r.kind, performance.now() - started, report.diagnostics));
    logKb(r);
    if (documents.get(uri)?.version !== version) return; // a newer edit will publish
    const shown = editorDiagnostics(r.path, report.diagnostics);
    await connection.sendDiagnostics({ uri, version, diagnostics: shown.map(toLspDiagnostic) });
  } catch (error) {
    // Never silent: the failure is a diagnostic on this file; other documents keep theirs.
    connection.console.error(`propmend: checking ${r.path} failed: ${(error as Error).stack ?? error}`);
    await connection
      .sendDiagnostics({ uri, version, diagnostics: [toLspDiagnostic(internalErrorDiagnostic(error))] })
      .catch(() => undefined);
  }
  if (cascade && (r.kind === 'kb' || r.kind === 'ripple')) {
    const dir = dirname(r.path);
    for (const other of documents.all()) {
      const p = other.uri === uri ? undefined : uriToPath(other.uri);
      if (!p) continue;
      // A KB affects everything below its folder; a split affects the other splits of its folder.
      const affected = r.kind === 'kb' ? p.startsWith(`${dir}/`) : dirname(p) === dir;
      if (affected) schedule(other.uri, false);
    }
  }
}

/** The KB files each document is checked against, logged when they change (not on every keystroke). */
const kbLogged = new Map<string, string>();

function logKb(doc: DocumentRef): void {
  const files = kbResultForDocument(session, settings, doc)?.files;
  if (!files) return;
  const line = kbLine(doc.path, files);
  if (kbLogged.get(doc.path) === line) return;
  kbLogged.set(doc.path, line);
  connection.console.log(line);
}

function recheckAll(): void {
  for (const d of documents.all()) schedule(d.uri, false);
}

connection.onInitialize((params): InitializeResult => {
  const folder = params.workspaceFolders?.[0]?.uri ?? params.rootUri ?? undefined;
  root = folder ? uriToPath(folder) : undefined;
  settings = readSettings((params.initializationOptions as { settings?: unknown } | undefined)?.settings);
  session = new CheckSession({ source: overlaySource(documents), settings, ...(root ? { root } : {}) });
  // The console is usable once the connection is initialized; the lines go to "PropMEND datasets".
  pendingLog.push(startLine(SERVER_VERSION, root), settingsLine(settings));
  return {
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
      completionProvider: { triggerCharacters: ['"'] },
      hoverProvider: true,
      definitionProvider: true,
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      documentSymbolProvider: true,
    },
    serverInfo: { name: 'propmend-lsp', version: SERVER_VERSION },
  };
});

connection.onInitialized(() => {
  for (const line of pendingLog.splice(0)) connection.console.log(line);
});

connection.onDidChangeConfiguration((change) => {
  const s = (change.settings as { propmend?: unknown } | undefined)?.propmend;
  if (s === undefined) return;
  settings = readSettings(s);
  session.setSettings(settings);
  kbLogged.clear();
  connection.console.log(settingsLine(settings));
  recheckAll();
});

connection.onDidChangeWatchedFiles(() => recheckAll());

documents.onDidChangeContent((e) => schedule(e.document.uri, true));
documents.onDidClose((e) => {
  clearTimeout(timers.get(e.document.uri));
  void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  // Closing drops unsaved text: dependents go back to the file on disk.
  const p = uriToPath(e.document.uri);
  if (p && (p.endsWith('.kb.json') || p.endsWith('.ripple.jsonl'))) recheckAll();
});

function withDoc<T>(uri: string, fallback: T, fn: (doc: DocumentRef) => T): T {
  const r = ref(uri);
  if (!r) return fallback;
  try {
    return fn(r);
  } catch (error) {
    connection.console.error(`propmend: request on ${r.path} failed: ${(error as Error).stack ?? error}`);
    return fallback;
  }
}

connection.onCompletion((p) =>
  withDoc(p.textDocument.uri, [], (d) => completion(kbForDocument(session, settings, d), d, p.position)),
);

connection.onHover((p) =>
  withDoc(p.textDocument.uri, null, (d) => {
    const h = hover(kbForDocument(session, settings, d), d, p.position);
    return h ? { contents: { kind: 'markdown' as const, value: h.markdown }, range: h.range } : null;
  }),
);

connection.onDefinition((p) =>
  withDoc(p.textDocument.uri, null, (d) => {
    const decl = definition(kbForDocument(session, settings, d), d, p.position);
    return decl ? { uri: pathToUri(decl.path), range: decl.range } : null;
  }),
);

connection.onCodeAction((p) => p.context.diagnostics.flatMap((d) => codeActionsFor(p.textDocument.uri, d)));

connection.onDocumentSymbol((p) =>
  withDoc(p.textDocument.uri, [], (d) => documentSymbols(kbForDocument(session, settings, d), d)),
);

documents.listen(connection);
connection.listen();
