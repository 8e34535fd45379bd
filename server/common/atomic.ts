// Crash-safe file output: every file the project writes for the user goes through here.
// Writes to a temporary sibling, fsyncs, then renames over the target, so a crash never leaves a torn file.
// Owns no formats; callers serialise first.
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

function tempPath(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${Date.now().toString(36)}.tmp`);
}

/** Writes `chunks` to `target` atomically (temp file, fsync, rename). Creates the parent folder. */
export function writeFileAtomic(target: string, ...chunks: Array<string | Uint8Array>): void {
  mkdirSync(dirname(target), { recursive: true });
  const tmp = tempPath(target);
  const fd = openSync(tmp, 'w');
  try {
    for (const chunk of chunks) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      let offset = 0;
      while (offset < bytes.byteLength) offset += writeSync(fd, bytes, offset, bytes.byteLength - offset);
    }
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
}

/** Writes a value as pretty JSON (2-space indent, trailing newline) atomically. */
export function writeJsonAtomic(target: string, value: unknown): void {
  writeFileAtomic(target, `${JSON.stringify(value, null, 2)}\n`);
}
