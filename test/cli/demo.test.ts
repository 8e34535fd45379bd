// `propmend demo` flags: bad values are usage errors (exit 2) before any work. The demo's runs themselves are
// test/cli/ground-state.test.ts (text output, checkout unmodified) and test/heavy/demo*.test.ts (JSON, full size).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCliCaptured } from '../support/cli';

test('demo: bad flags are usage errors (exit 2)', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['--sample', '0'], /--sample must be >= 1, got 0/],
    [
      ['--methods', 'base,rome'],
      /unknown method "rome"; valid: base, prepend, cpt-midupper, memit, mend, propmend/,
    ],
    [['--full', '--instances', '3'], /--instances N or --full, not both/],
  ];
  for (const [flags, message] of cases) {
    const r = await runCliCaptured(['demo', ...flags]);
    assert.equal(r.code, 2, flags.join(' '));
    assert.match(r.stderr, message);
  }
});
