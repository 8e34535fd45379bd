// Shared setup of the sidecar tests (default ring and test/heavy/): the bundle built when stale, a temp folder
// with the example person spec pointing at the shipped model and hypernetwork by absolute path and the same
// instance as line 2 of a dataset file, and file hashes. Test support only; owns no product code.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ApplyEditResult } from '../../server/protocol';

export const root = resolve(__dirname, '..', '..');
export const bundle = join(root, 'dist', 'sidecar.js');
export const model = join(root, 'assets', 'models', 'tiny-world');
export const hypernet = join(root, 'assets', 'hypernets', 'propmend');
/** How long a build may take before the test fails instead of hanging. */
const BUILD_TIMEOUT_MS = 180_000;

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds the bundles when dist/sidecar.js is missing or older than server/. */
export function ensureBundle(): void {
  if (existsSync(bundle) && statSync(bundle).mtimeMs >= newestMtime(join(root, 'server'))) return;
  const result = spawnSync(process.execPath, [join(root, 'esbuild.js'), '--quiet'], {
    cwd: root,
    encoding: 'utf8',
    timeout: BUILD_TIMEOUT_MS,
  });
  assert.equal(result.status, 0, `node esbuild.js failed: ${result.stderr}`);
}

export function sha(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

export const FACT =
  'Hioltheth Thastas was born in Pluethdrem. Hioltheth Thastas works for Paplomend. Hioltheth Thastas graduated from Krara University.';
export const LANGUAGE_QUESTION = 'What language is spoken in the country where Hioltheth Thastas was born?';

/** A temp folder with person.edit.json (absolute model/hypernetwork paths) and validation.ripple.jsonl. */
export function makeWorkspace(): { work: string; specFile: string; datasetFile: string } {
  const work = mkdtempSync(join(tmpdir(), 'propmend-sidecar-'));
  const spec = JSON.parse(readFileSync(join(root, 'examples', 'new-person.edit.json'), 'utf8'));
  spec.model = model;
  spec.hypernetwork = hypernet;
  delete spec.$schema;
  delete spec.kb;
  const specFile = join(work, 'person.edit.json');
  writeFileSync(specFile, `${JSON.stringify(spec, null, 2)}\n`);
  // The same instance as a dataset line (line 2, after another instance), for edits from a dataset file.
  const { fact, subject, subject_type, triples, propagation, locality } = spec;
  const other = {
    id: 'validation-0',
    fact: 'Ama Rell works for Paplomend.',
    subject: 'Ama Rell',
    subject_type: 'person',
    triples: [{ subject: 'Ama Rell', relation: 'works_for', object: 'Paplomend' }],
    propagation: [
      {
        question: 'Which company does Ama Rell work for?',
        answer: 'Paplomend',
        path: ['works_for'],
        verbatim: true,
      },
    ],
    locality: [],
  };
  const line = { id: 'validation-7', fact, subject, subject_type, triples, propagation, locality };
  const datasetFile = join(work, 'validation.ripple.jsonl');
  writeFileSync(datasetFile, `${JSON.stringify(other)}\n${JSON.stringify(line)}\n`);
  return { work, specFile, datasetFile };
}

/** The report row of the spec's language question (its propagation answer is known for the shipped model). */
export function languageRow(result: ApplyEditResult) {
  const row = result.report.questions.find((q) => q.question === LANGUAGE_QUESTION);
  assert.ok(row, 'the report has the language question');
  return row;
}
