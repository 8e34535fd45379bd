// The jobs layer's place in the import graph (docs/architecture.md): jobs import the runtime, the checker,
// the dataset model and common, never a runner (the CLI) or the editor; nothing below jobs imports jobs or
// the CLI. Reads source files only.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';

const root = resolve(__dirname, '..', '..');

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sources(path, out);
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

/** Repo-relative targets of a file's relative imports. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import|require\()\s*['"](\.[^'"]+)['"]/g)].map((m) =>
    relative(root, resolve(dirname(file), m[1] as string))
      .split(sep)
      .join('/'),
  );
}

test('server/jobs imports no runner and no editor code', () => {
  const offenders = sources(join(root, 'server/jobs')).flatMap((f) =>
    importsOf(f)
      .filter(
        (t) => t.startsWith('server/cli') || t.startsWith('extension') || t.startsWith('server/lsp/features'),
      )
      .map((t) => `${relative(root, f)} imports ${t}`),
  );
  assert.deepEqual(offenders, []);
});

test('nothing below the jobs layer imports jobs or the CLI', () => {
  const below = ['server/runtime', 'server/lsp', 'server/dataset', 'server/world', 'server/common'];
  const offenders = below.flatMap((d) =>
    sources(join(root, d)).flatMap((f) =>
      importsOf(f)
        .filter((t) => t.startsWith('server/jobs') || t.startsWith('server/cli'))
        .map((t) => `${relative(root, f)} imports ${t}`),
    ),
  );
  assert.deepEqual(offenders, []);
});
