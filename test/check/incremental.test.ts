// The incremental path (one long-lived CheckSession, as the language server keeps) must give exactly what a
// fresh session gives, after any sequence of edits: lines changed, inserted, deleted or duplicated, a sibling
// split edited, the KB edited. Property test with a fixed seed over the example dataset (20 edit sequences in
// the default ring, 200 in the heavy ring).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { CheckSession } from '../../server/lsp/check/session';
import { type FileSource, memorySource } from '../../server/lsp/check/source';

const EXAMPLES = resolve(__dirname, '../../examples');
const DATASET = join(EXAMPLES, 'dataset');
const files = new Map<string, string>([
  ['/ws/world.kb.json', readFileSync(join(EXAMPLES, 'world.kb.json'), 'utf8')],
]);
for (const name of readdirSync(DATASET).filter((n) => n.endsWith('.ripple.jsonl'))) {
  files.set(`/ws/dataset/${name}`, readFileSync(join(DATASET, name), 'utf8'));
}
const SPLITS = [...files.keys()].filter((p) => p.endsWith('.jsonl'));
const ALL_LINES = SPLITS.flatMap((p) => (files.get(p) as string).split('\n').filter((l) => l.trim() !== ''));

type Edit =
  | { kind: 'replace'; file: number; line: number; with: number }
  | { kind: 'insert'; file: number; line: number; with: number }
  | { kind: 'delete'; file: number; line: number }
  | { kind: 'tweak'; file: number; line: number; from: number; to: string }
  | { kind: 'kb'; what: number };

const KB_EDITS: Array<[string, string]> = [
  ['"located_in"', '"situated_in"'],
  ['"type": "city"', '"type": "town"'],
  ['"Veloria"', '"Velloria"'],
  ['"many-to-one"', '"one-to-one"'],
];
const TWEAKS = ['"verbatim":true', '"verbatim":false', '"split":"train",', '"id":"dup",', 'Sarnow', '{'];

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), file: fc.nat(), line: fc.nat(), with: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), file: fc.nat(), line: fc.nat(), with: fc.nat() }),
  fc.record({ kind: fc.constant('delete' as const), file: fc.nat(), line: fc.nat() }),
  fc.record({
    kind: fc.constant('tweak' as const),
    file: fc.nat(),
    line: fc.nat(),
    from: fc.nat(),
    to: fc.constantFrom(...TWEAKS),
  }),
  fc.record({ kind: fc.constant('kb' as const), what: fc.nat(KB_EDITS.length - 1) }),
);

function apply(state: Map<string, string>, e: Edit): void {
  if (e.kind === 'kb') {
    const [from, to] = KB_EDITS[e.what] as [string, string];
    state.set('/ws/world.kb.json', (state.get('/ws/world.kb.json') as string).replace(from, to));
    return;
  }
  const path = SPLITS[e.file % SPLITS.length] as string;
  const lines = (state.get(path) as string).split('\n');
  const i = e.line % lines.length;
  if (e.kind === 'replace') lines[i] = ALL_LINES[e.with % ALL_LINES.length] as string;
  else if (e.kind === 'insert') lines.splice(i, 0, ALL_LINES[e.with % ALL_LINES.length] as string);
  else if (e.kind === 'delete') lines.splice(i, 1);
  else {
    const line = lines[i] as string;
    const at = e.from % (line.length + 1);
    lines[i] = line.slice(0, at) + e.to + line.slice(at);
  }
  state.set(path, lines.join('\n'));
}

/** A source over a map that the test mutates between checks (like editor buffers). */
function liveSource(state: Map<string, string>): FileSource {
  return {
    read: (p) => memorySource(state).read(p),
    readText: (p) => state.get(p),
    listDir: (dir) => memorySource(state).listDir(dir),
    exists: (p) => memorySource(state).exists(p),
  };
}

/** The default ring runs a sample of edit sequences; the heavy ring (PROPMEND_HEAVY=1) runs ten times more. */
const RUNS = process.env['PROPMEND_HEAVY'] === '1' ? 200 : 20;

test('re-checking after edits gives the same diagnostics as a fresh check', async (t) => {
  let changed = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 8 }), async (edits) => {
      const state = new Map(files);
      const live = new CheckSession({ source: liveSource(state), root: '/ws' });
      const before = new Map<string, string>();
      for (const p of SPLITS) before.set(p, JSON.stringify((await live.check(p)).diagnostics));
      for (const e of edits) {
        apply(state, e);
        for (const p of [...SPLITS, '/ws/world.kb.json']) {
          const incremental = await live.check(p);
          const fresh = await new CheckSession({ source: memorySource(new Map(state)), root: '/ws' }).check(
            p,
          );
          assert.deepEqual(incremental, fresh, `${p} after ${JSON.stringify(e)}`);
          if (before.has(p) && before.get(p) !== JSON.stringify(incremental.diagnostics)) changed++;
        }
      }
    }),
    { seed: 424242, numRuns: RUNS },
  );
  // The edits must really change diagnostics, or the comparison proves nothing.
  t.diagnostic(`${RUNS} edit sequences; ${changed} checks saw changed diagnostics`);
  assert.ok(changed > 5 * RUNS, `only ${changed} checks saw changed diagnostics`);
});
