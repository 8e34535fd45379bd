// Opening the files of a model folder safely: only regular files are read (a folder, FIFO, socket or device
// named config.json or model.safetensors is refused before any read, and FIFOs are opened non-blocking so
// the check itself cannot hang), and small JSON files are read only below a size limit.
// Knows nothing about safetensors or configs; the callers name the file's role in their own messages.
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { CheckpointError } from './format';

/** config.json, tokenizer_config.json and similar: real ones are a few kilobytes. */
export const MAX_CONFIG_BYTES = 16 * 1024 * 1024;
/** model.safetensors.index.json: about 100 bytes per tensor name, so far below this for any real model. */
export const MAX_INDEX_BYTES = 64 * 1024 * 1024;

/** "a folder", "a FIFO", ... for a file that is not a regular file. */
export function fileKind(stats: Stats): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

/**
 * Opens `path` for reading and returns the descriptor, or null when it does not exist. Refuses anything
 * but a regular file (after following symlinks) with a CheckpointError naming the path and its kind.
 * O_NONBLOCK makes opening a FIFO return at once instead of waiting for a writer.
 */
export function openRegularFile(path: string): number | null {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    if (code === 'ELOOP') {
      throw new CheckpointError(
        `${path} is a symbolic link that loops (ELOOP); replace it with the file itself`,
      );
    }
    throw new CheckpointError(
      `cannot open ${path}: ${code ?? (error as Error).message}; check that the file exists and is readable`,
    );
  }
  let stats: Stats;
  try {
    stats = fstatSync(fd);
  } catch (error) {
    closeSync(fd);
    throw new CheckpointError(`cannot read ${path}: ${(error as Error).message}`);
  }
  if (!stats.isFile()) {
    closeSync(fd);
    throw new CheckpointError(
      `${path} is ${fileKind(stats)}, not a regular file; a model folder holds plain files (replace it with the file itself)`,
    );
  }
  return fd;
}

/**
 * Reads a regular file of at most `maxBytes`, or returns null when it does not exist.
 * Larger files, non-regular files and read errors throw CheckpointError naming the path.
 */
export function readSmallFile(path: string, maxBytes: number): Uint8Array | null {
  const fd = openRegularFile(path);
  if (fd === null) return null;
  try {
    const size = fstatSync(fd).size;
    if (size > maxBytes) {
      throw new CheckpointError(
        `${path} is ${size} bytes, more than the ${maxBytes} this file may have; it is not the file a model folder needs (restore it from the original model)`,
      );
    }
    const bytes = new Uint8Array(size);
    let done = 0;
    while (done < size) {
      const got = readSync(fd, bytes, done, size - done, done);
      if (got === 0) break;
      done += got;
    }
    return bytes.subarray(0, done);
  } catch (error) {
    if (error instanceof CheckpointError) throw error;
    throw new CheckpointError(`cannot read ${path}: ${(error as Error).message}`);
  } finally {
    closeSync(fd);
  }
}

/** readSmallFile decoded as UTF-8. */
export function readSmallTextFile(path: string, maxBytes: number): string | null {
  const bytes = readSmallFile(path, maxBytes);
  return bytes === null ? null : new TextDecoder('utf-8').decode(bytes);
}
