// Where an edit spec may point: its `kb`, `model` and `hypernetwork` paths must resolve below the spec's
// folder or inside a root the user gave (the editor's workspace, the CLI's checked paths and flags), both as
// written and after following links. Other paths are never read, and the diagnostic says so without saying
// whether anything exists there.
import { realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { SPEC_PATH_FIELDS, type SpecPathField } from '../../dataset/edit-spec';
import type { Pending } from './report';

/** True when `path` is `root` or below it (both absolute). */
export function isInside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    // Missing (or unreadable) paths are judged as written: nothing is read there either way.
    return path;
  }
}

/** True when `path` lies inside one of `roots` as written and, when it exists, after following links. */
export function allowedPath(path: string, roots: readonly string[]): boolean {
  const real = realOrSelf(path);
  return roots.some((root) => isInside(path, root) && isInside(real, realOrSelf(root)));
}

export const OUTSIDE_ROOT = 'outside-root';

/**
 * The spec's value with every path field that points outside the allowed roots removed (rules then treat it
 * as absent), and one `outside-root` error per removed field.
 */
export function confineSpecPaths(
  value: Record<string, unknown>,
  specPath: string,
  roots: readonly string[],
): { value: Record<string, unknown>; pending: Pending[] } {
  const dir = dirname(specPath);
  const allowed = [dir, ...roots];
  const pending: Pending[] = [];
  const kept = { ...value };
  for (const field of SPEC_PATH_FIELDS) {
    const rel = value[field];
    if (typeof rel !== 'string' || rel === '') continue;
    if (allowedPath(resolve(dir, rel), allowed)) continue;
    delete kept[field as SpecPathField];
    pending.push({
      severity: 'error',
      code: OUTSIDE_ROOT,
      message: `"${field}" points outside the spec's folder and the checked folders, so it is not read; move it below ${dir} or check a folder that contains it`,
      at: { path: [field], part: 'value' },
    });
  }
  return { value: kept, pending };
}
