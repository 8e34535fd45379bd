// Reading one dataset, KB or spec file from disk without trusting it: only regular files are opened (FIFOs,
// devices, sockets and folders are refused after a stat, before any open), the open is non-blocking so a FIFO
// swapped in after the stat cannot hang, the size is capped, and every failure is a value, never an exception.
import { closeSync, constants, fstatSync, openSync, readSync, type Stats, statSync } from 'node:fs';

/** Largest file read as text (256 MiB): beyond it a file is reported, not read. */
export const MAX_TEXT_FILE_BYTES = 256 * 1024 * 1024;

export const FILE_PROBLEMS = ['missing', 'not-regular', 'too-large', 'unreadable'] as const;
export type FileProblem = (typeof FILE_PROBLEMS)[number];

export type ReadResult =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly problem: FileProblem; readonly message: string };

/** What a non-regular file is, in words ("a FIFO (named pipe)"), for messages. */
export function describeNonRegular(st: Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

function errnoProblem(path: string, error: unknown): ReadResult {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR')
    return { ok: false, problem: 'missing', message: `${path} does not exist` };
  if (code === 'ELOOP')
    return { ok: false, problem: 'unreadable', message: `${path} is a symbolic link loop` };
  return {
    ok: false,
    problem: 'unreadable',
    message: `${path} cannot be read (${code ?? 'I/O error'}); check its permissions`,
  };
}

function tooLarge(path: string, max: number): ReadResult {
  return {
    ok: false,
    problem: 'too-large',
    message: `${path} is larger than ${max >= 1 << 20 ? `${Math.round(max / (1 << 20))} MiB` : `${max} bytes`}, the most a file may have; split it`,
  };
}

/** The file's kind after following links, or a problem; never opens the file. */
export function statRegular(path: string, max = MAX_TEXT_FILE_BYTES): ReadResult | undefined {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (error) {
    return errnoProblem(path, error);
  }
  if (!st.isFile())
    return {
      ok: false,
      problem: 'not-regular',
      message: `${path} is ${describeNonRegular(st)}, not a regular file, so it is not read`,
    };
  if (st.size > max) return tooLarge(path, max);
  return undefined;
}

/** Reads a regular file as UTF-8 text, at most `max` bytes; everything else is a problem value. */
export function readTextFile(path: string, max = MAX_TEXT_FILE_BYTES): ReadResult {
  const refused = statRegular(path, max);
  if (refused) return refused;
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    return errnoProblem(path, error);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile())
      return {
        ok: false,
        problem: 'not-regular',
        message: `${path} is ${describeNonRegular(st)}, not a regular file, so it is not read`,
      };
    // The file may grow between the stat and the read: read at most max + 1 bytes and refuse more.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1 << 20, max + 1 - total));
      if (chunk.length === 0) return tooLarge(path, max);
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
      total += n;
      if (total > max) return tooLarge(path, max);
    }
    return { ok: true, text: Buffer.concat(chunks, total).toString('utf8') };
  } catch (error) {
    return errnoProblem(path, error);
  } finally {
    closeSync(fd);
  }
}
