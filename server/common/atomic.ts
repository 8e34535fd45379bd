// Crash-safe file output: every file the project writes for the user goes through here.
// Writes to a temporary sibling, fsyncs, then renames over the target, so a crash never leaves a torn file.
// Owns no formats; callers serialise first.
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { OutputError } from './output';

function tempPath(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${Date.now().toString(36)}.tmp`);
}

/** Writes all of `bytes` to an open file descriptor (writeSync may write less than asked). */
export function writeAll(fd: number, bytes: Uint8Array): void {
  let offset = 0;
  while (offset < bytes.byteLength) offset += writeSync(fd, bytes, offset, bytes.byteLength - offset);
}

/**
 * Creates `target` atomically from what `write` puts into a file descriptor: a temporary sibling is written,
 * fsynced and renamed over the target; on any error it is removed and the target is untouched. Creates the
 * parent folder. Returns what `write` returns.
 */
export function writeAtomicWith<T>(target: string, write: (fd: number) => T): T {
  mkdirSync(dirname(target), { recursive: true });
  const tmp = tempPath(target);
  const fd = openSync(tmp, 'w');
  let result: T;
  try {
    result = write(fd);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(tmp, target);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
  return result;
}

/** Writes `chunks` to `target` atomically (temp file, fsync, rename). Creates the parent folder. */
export function writeFileAtomic(target: string, ...chunks: Array<string | Uint8Array>): void {
  writeAtomicWith(target, (fd) => {
    for (const chunk of chunks) writeAll(fd, typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
  });
}

/** Writes a value as pretty JSON (2-space indent, trailing newline) atomically. */
export function writeJsonAtomic(target: string, value: unknown): void {
  writeFileAtomic(target, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Creates the folder `target` whole: `fill` writes into a temporary sibling (`.NAME.PID.STAMP.saving`), which is
 * then renamed into place; an existing target is replaced only with `replace` (parked as `.saving.old` during
 * the swap, so a crash between the two renames loses nothing: see removeStaleTemps in output.ts). On any
 * error the temporary folder is removed and the target is untouched. Returns what `fill` returns.
 */
export function writeFolderAtomic<T>(target: string, fill: (dir: string) => T, replace = false): T {
  mkdirSync(dirname(target), { recursive: true });
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.${Date.now().toString(36)}.saving`);
  mkdirSync(tmp);
  try {
    const result = fill(tmp);
    if (existsSync(target)) {
      const empty = statSync(target).isDirectory() && readdirSync(target).length === 0;
      if (!replace && !empty)
        throw new OutputError(`${target} appeared while it was being written; nothing was replaced`);
      const old = `${tmp}.old`;
      renameSync(target, old);
      renameSync(tmp, target);
      rmSync(old, { recursive: true, force: true });
    } else renameSync(tmp, target);
    return result;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
