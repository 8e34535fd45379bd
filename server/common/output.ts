// Where commands and jobs may write: the one check every output goes through before any work starts
// (an existing target needs `force`, a command's own inputs are never a target, a target is a regular file
// or folder or absent), and the lifecycle of the temp files beside a target (`.NAME.PID.*.tmp|.saving`):
// removed at process exit, and left-overs of dead processes removed on the next run. Owns no formats.
import {
  existsSync,
  lstatSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  type Stats,
  statSync,
} from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';

/** A target that may not be written, for a reason the user can fix (CLI exit 1). */
export class OutputError extends Error {
  override name = 'OutputError';
}

export interface OutputRules {
  /** What the target must be: one file, or a folder that is written whole. */
  readonly kind: 'file' | 'folder';
  /** Replace an existing target (the `--force` flag). Never allows writing over an input. */
  readonly force?: boolean;
  /** Files and folders the command reads; the target may not be one of them, contain one, or lie in one as an existing file. */
  readonly inputs?: readonly string[];
  /** The flag that named the target, for messages (default "--out"). */
  readonly flag?: string;
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

/** The real path of `path`, resolving symbolic links of its existing ancestors. */
export function realPathOf(path: string): string {
  const abs = resolve(path);
  try {
    return realpathSync(abs);
  } catch {
    const parent = dirname(abs);
    return parent === abs ? abs : join(realPathOf(parent), basename(abs));
  }
}

function within(inner: string, outer: string): boolean {
  return inner === outer || inner.startsWith(outer.endsWith(sep) ? outer : `${outer}${sep}`);
}

function describe(stat: Stats): string {
  if (stat.isDirectory()) return 'a folder';
  if (stat.isSymbolicLink()) return 'a symbolic link';
  if (stat.isFIFO()) return 'a named pipe';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  return 'a file';
}

/**
 * Checks that `target` may be written under `rules` and removes temp left-overs of dead processes beside it.
 * Call before any long work, so a refused target costs nothing. Returns the absolute target path.
 */
export function claimOutput(target: string, rules: OutputRules): string {
  const flag = rules.flag ?? '--out';
  const abs = resolve(target);
  const real = realPathOf(abs);
  for (const input of rules.inputs ?? []) {
    const inputReal = realPathOf(input);
    if (within(inputReal, real)) {
      throw new OutputError(
        real === inputReal
          ? `${flag} ${abs} is an input of this command; choose another output`
          : `${flag} ${abs} contains the input ${input}; choose an output outside it`,
      );
    }
    const inputStat = lstatOrNull(inputReal);
    if (inputStat?.isDirectory() && within(real, inputReal) && existsSync(real)) {
      throw new OutputError(
        `${flag} ${abs} is a file of the input folder ${input}; choose an output outside it, or a new file name`,
      );
    }
  }
  const stat = lstatOrNull(abs);
  if (stat) {
    if (stat.isSymbolicLink())
      throw new OutputError(`${flag} ${abs} is a symbolic link; give the path of a new ${rules.kind}`);
    const sameFile = (rules.inputs ?? []).some((input) => {
      try {
        const s = statSync(input);
        return s.ino === stat.ino && s.dev === stat.dev;
      } catch {
        return false;
      }
    });
    if (sameFile) throw new OutputError(`${flag} ${abs} is an input of this command; choose another output`);
    const isRightKind = rules.kind === 'file' ? stat.isFile() : stat.isDirectory();
    if (!isRightKind) {
      throw new OutputError(
        `${flag} ${abs} is ${describe(stat)}; give the path of a ${rules.kind === 'file' ? 'new file' : 'new folder'}`,
      );
    }
    const occupied = rules.kind === 'file' || readdirSync(abs).length > 0;
    if (occupied && !rules.force) {
      throw new OutputError(
        `${flag} ${abs} already exists; choose another ${rules.kind} or pass --force to replace it`,
      );
    }
  } else {
    const parent = lstatOrNull(dirname(abs));
    if (parent && !parent.isDirectory())
      throw new OutputError(`${flag} ${abs}: ${dirname(abs)} is ${describe(parent)}, not a folder`);
  }
  removeStaleTemps(abs);
  watchTemps(abs);
  return abs;
}

/** `.NAME.PID.STAMP.tmp`, `.NAME.PID.STAMP.saving` and `.NAME.PID.STAMP.saving.old` beside `target`. */
function tempsOf(target: string): Array<{ path: string; pid: number; old: boolean }> {
  const name = basename(target);
  const prefix = `.${name}.`;
  let entries: string[];
  try {
    entries = readdirSync(dirname(target));
  } catch {
    return [];
  }
  const out: Array<{ path: string; pid: number; old: boolean }> = [];
  for (const entry of entries) {
    if (!entry.startsWith(prefix)) continue;
    const m = /^(\d+)\.[0-9a-z]+\.(tmp|saving|saving\.old)$/.exec(entry.slice(prefix.length));
    if (m) out.push({ path: join(dirname(target), entry), pid: Number(m[1]), old: m[2] === 'saving.old' });
  }
  return out;
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temp files and folders beside `target` left by processes matching `owned` (default: dead
 * ones). A previous version parked as `.saving.old` by a save that died mid-swap is renamed back when the
 * target is missing, so an interrupted replace never loses the old version.
 */
export function removeStaleTemps(
  target: string,
  owned: (pid: number) => boolean = (pid) => !alive(pid),
): void {
  for (const temp of tempsOf(target)) {
    if (!owned(temp.pid)) continue;
    try {
      if (temp.old && !existsSync(target)) renameSync(temp.path, target);
      else rmSync(temp.path, { recursive: true, force: true });
    } catch {
      // Best effort: a temp we cannot remove is reported by nothing and harms nothing.
    }
  }
}

const watched = new Set<string>();

/** Removes this process's temps beside `target` when the process exits, whatever the exit path. */
export function watchTemps(target: string): void {
  if (watched.size === 0) {
    process.on('exit', () => {
      for (const t of watched) removeStaleTemps(t, (pid) => pid === process.pid);
    });
  }
  watched.add(resolve(target));
}
