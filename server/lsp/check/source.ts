// Where the checker reads files from: the disk (CLI), or the disk overlaid with the editor's open
// documents (language server), or an in-memory map (tests). The engine reads nothing else.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';

export interface FileSource {
  /** The file's text, or undefined when it does not exist or cannot be read. */
  readText(path: string): string | undefined;
  /** Entry names of a folder, or undefined when it is not a folder. */
  listDir(dir: string): string[] | undefined;
  exists(path: string): boolean;
}

export const diskSource: FileSource = {
  readText(path) {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  },
  listDir(dir) {
    try {
      return readdirSync(dir).sort();
    } catch {
      return undefined;
    }
  },
  exists(path) {
    return existsSync(path);
  },
};

/** True when `path` is a folder on disk. */
export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** An in-memory file tree keyed by absolute path (tests, fixtures). */
export function memorySource(files: ReadonlyMap<string, string>, fallback?: FileSource): FileSource {
  const dirs = new Map<string, Set<string>>();
  for (const path of files.keys()) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/') || '/';
      let entries = dirs.get(dir);
      if (!entries) {
        entries = new Set();
        dirs.set(dir, entries);
      }
      entries.add(parts[i] as string);
    }
  }
  return {
    readText: (path) => files.get(path) ?? fallback?.readText(path),
    listDir: (dir) => {
      const own = dirs.get(dir);
      const other = fallback?.listDir(dir);
      if (!own && !other) return undefined;
      return [...new Set([...(own ?? []), ...(other ?? [])])].sort();
    },
    exists: (path) => files.has(path) || dirs.has(path) || (fallback?.exists(path) ?? false),
  };
}
