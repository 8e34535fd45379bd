// A FileSource that reads the editor's open documents first and the disk otherwise, so sibling splits and
// KB files are checked as the user sees them, saved or not.
import type { TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { diskSource, type FileSource } from '../check/source';
import { pathToUri } from './protocol';

export function overlaySource(documents: TextDocuments<TextDocument>): FileSource {
  const open = (path: string) => documents.get(pathToUri(path));
  return {
    read: (path) => {
      const doc = open(path);
      return doc ? { ok: true, text: doc.getText() } : diskSource.read(path);
    },
    readText: (path) => open(path)?.getText() ?? diskSource.readText(path),
    listDir: (dir) => {
      const names = new Set(diskSource.listDir(dir) ?? []);
      const prefix = pathToUri(dir).replace(/\/?$/, '/');
      for (const doc of documents.all()) {
        if (!doc.uri.startsWith(prefix)) continue;
        const rest = decodeURIComponent(doc.uri.slice(prefix.length));
        if (rest !== '' && !rest.includes('/')) names.add(rest);
      }
      return names.size === 0 && !diskSource.exists(dir) ? undefined : [...names].sort();
    },
    exists: (path) => open(path) !== undefined || diskSource.exists(path),
  };
}
