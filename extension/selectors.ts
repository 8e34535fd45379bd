// Which documents the PropMEND language server sees, and the settings section it reads.
// Plain data shared by the extension entry; must stay in sync with package.json `contributes`.
import type { DocumentSelector } from 'vscode-languageclient';

/** The settings section forwarded to the server (`propmend.knowledgeBase`, `propmend.tokenizer`, ...). */
export const SETTINGS_SECTION = 'propmend';

/** Datasets, knowledge bases, edit specs and RippleEdits benchmark files (by their usual names). */
export const DOCUMENT_SELECTOR: DocumentSelector = [
  { scheme: 'file', pattern: '**/*.ripple.jsonl' },
  { scheme: 'file', pattern: '**/*.kb.json' },
  { scheme: 'file', pattern: '**/*.edit.json' },
  { scheme: 'file', pattern: '**/{popular,random,recent}.json' },
  { scheme: 'file', pattern: '**/*rippleedits*.json' },
  { scheme: 'file', pattern: '**/*RippleEdits*.json' },
];

/** The `source` of the language server's diagnostics (server/lsp/features/protocol.ts SOURCE). */
export const DIAGNOSTIC_SOURCE = 'propmend';
