// Where the checker reads files from: the disk (CLI), or the disk overlaid with the editor's open
// documents (language server), or an in-memory map (tests). The engine reads nothing else.
// Disk reads go through the dataset model's readTextFile: regular files only, size-capped, never blocking.
import { existsSync, lstatSync, readdirSync, statSync } from 'node:fs';
import { type ReadResult, readTextFile } from '../../dataset/file';

export interface FileSource {
  /** The file's text, or why it was not read (missing, not a regular file, too large, unreadable). */
  read(path: string): ReadResult;
  /** The file's text, or undefined when it cannot be read for any reason. */
  readText(path: string): string | undefined;
  /** Entry names of a folder, or undefined when it is not a folder. */
  listDir(dir: string): string[] | undefined;
  exists(path: string): boolean;
}

/** readText from read: the text, or undefined for every problem. */
export function textOf(result: ReadResult): string | undefined {
  return result.ok ? result.text : undefined;
}

export const diskSource: FileSource = {
  read: (path) => readTextFile(path),
  readText: (path) => textOf(readTextFile(path)),
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

/** True when `path` is a folder on disk (following links). */
export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** True when `path` itself is a symbolic link. */
export function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
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
  const read = (path: string): ReadResult => {
    const text = files.get(path);
    if (text !== undefined) return { ok: true, text };
    return fallback?.read(path) ?? { ok: false, problem: 'missing', message: `${path} does not exist` };
  };
  return {
    read,
    readText: (path) => textOf(read(path)),
    listDir: (dir) => {
      const own = dirs.get(dir);
      const other = fallback?.listDir(dir);
      if (!own && !other) return undefined;
      return [...new Set([...(own ?? []), ...(other ?? [])])].sort();
    },
    exists: (path) => files.has(path) || dirs.has(path) || (fallback?.exists(path) ?? false),
  };
}
