// Every diagnostic code the engine can emit is exercised by a test in this folder: as a fixture marker
// ⟨severity code⟩ (which asserts its range) or, for codes only whole-file tests reach, by name.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ENGINE_CODES, RULES } from '../../server/lsp/diagnostics/index';

/** Codes asserted by whole-file tests rather than by a range marker, and where. */
const BY_NAME: Record<string, string> = {
  'too-many': 'malformed.test.ts (the 50 MB dataset)',
  'unknown-kind': 'cli.test.ts',
  'internal-error': 'hostile.test.ts (a source that throws for one file)',
  'unreadable-file': 'hostile.test.ts (FIFOs, devices, links out of the root, a file nobody cannot read)',
};

test('every diagnostic code has a range-marked fixture (or a named whole-file test)', () => {
  const sources = readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => readFileSync(join(__dirname, f), 'utf8'))
    .join('\n');
  const marked = new Set([...sources.matchAll(/⟨(?:error|warning|info|hint) ([\w-]+)/g)].map((m) => m[1]));
  const all = [...new Set([...RULES.map((r) => r.code), ...ENGINE_CODES])].sort();
  const missing = all.filter((code) => !marked.has(code) && !(code in BY_NAME));
  assert.deepEqual(missing, [], 'codes without a fixture marker');
  for (const code of Object.keys(BY_NAME))
    assert.ok(sources.includes(`'${code}'`) || sources.includes(`/${code}`), code);
});
