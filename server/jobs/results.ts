// Where jobs put what they derive: a JSON result file the caller names (an output folder the user chose,
// or, only when the maintainer asks, a file next to shipped assets). Claimed before the work starts, so a
// refused target costs nothing, and written atomically at the end. Jobs never write elsewhere.

import { writeJsonAtomic } from '../common/atomic';
import { claimOutput } from '../common/output';

/** A result file a job will write, and whether it may replace an existing one (`--force`). */
export interface ResultTarget {
  readonly file: string;
  readonly force?: boolean;
  /** The flag that named it, for messages (default "--out"). */
  readonly flag?: string;
}

/** A claimed result file: checked against the rules of server/common/output.ts, written by `write`. */
export interface ClaimedResult {
  readonly file: string;
  write(value: unknown): void;
}

/** Checks `target` (an existing file needs force; never one of `inputs`) and returns its writer. */
export function claimResult(target: ResultTarget, inputs: readonly string[]): ClaimedResult {
  const file = claimOutput(target.file, {
    kind: 'file',
    inputs,
    ...(target.force !== undefined ? { force: target.force } : {}),
    ...(target.flag !== undefined ? { flag: target.flag } : {}),
  });
  return { file, write: (value) => writeJsonAtomic(file, value) };
}
