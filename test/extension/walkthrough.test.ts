// The walkthrough without VS Code: its contributed steps each have a completion event the extension can
// produce, every command they link is contributed, the example copy never lands on an existing folder, the
// mistake it writes is a relation typo the checker flags with its did-you-mean fix, and the first-run notice
// shows once, never in tests or where walkthroughs on install are off unless asked.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import {
  copyExamples,
  EXAMPLE_DATASET,
  exampleCopyTarget,
  isExampleWorkspace,
  MISTAKE_FILE,
  relationTypo,
  writeMistakeFile,
} from '../../extension/walkthrough-files';
import { shouldOfferWalkthrough } from '../../extension/walkthrough-first-run';
import { checkPaths } from '../../server/lsp/check';

const root = resolve(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  contributes: {
    commands: Array<{ command: string }>;
    walkthroughs: Array<{
      id: string;
      steps: Array<{
        id: string;
        description: string;
        media: { markdown?: string };
        completionEvents: string[];
      }>;
    }>;
  };
};

test('each walkthrough step has a completion event, existing media and only contributed or later-merged commands', () => {
  const [walkthrough] = pkg.contributes.walkthroughs;
  assert.ok(walkthrough);
  assert.equal(walkthrough.steps.length, 5);
  const contributed = new Set(pkg.contributes.commands.map((c) => c.command));
  const source = ['walkthrough.ts', 'commands.ts']
    .map((f) => readFileSync(join(root, 'extension', f), 'utf8'))
    .join('\n');
  for (const step of walkthrough.steps) {
    assert.ok(step.completionEvents.length > 0, `${step.id} has no completion event`);
    if (step.media.markdown) assert.ok(existsSync(join(root, step.media.markdown)), step.media.markdown);
    for (const event of step.completionEvents) {
      const [kind, what] = event.split(':') as [string, string];
      if (kind === 'onContext')
        assert.ok(source.includes(`'${what}'`), `no code sets the context key ${what}`);
      else assert.equal(kind, 'onCommand', event);
    }
    for (const m of step.description.matchAll(/\(command:([\w.]+)/g)) {
      // Evaluate Dataset comes with the evaluation view (branch evalview).
      if (m[1] !== 'propmend.evaluateDataset')
        assert.ok(contributed.has(m[1] as string), `${step.id} links ${m[1]}`);
    }
  }
  // The steps that need an example workspace complete from things this extension does.
  assert.deepEqual(walkthrough.steps[0]?.completionEvents, [
    'onCommand:propmend.openExamples',
    'onContext:propmend.exampleWorkspace',
  ]);
});

test('the examples are copied into a new folder, never over an existing one', () => {
  const parent = mkdtempSync(join(tmpdir(), 'propmend-walkthrough-'));
  try {
    const first = copyExamples(join(root, 'examples'), parent);
    assert.equal(first, join(parent, 'propmend-examples'));
    assert.ok(isExampleWorkspace(first));
    const second = copyExamples(join(root, 'examples'), parent);
    assert.equal(second, join(parent, 'propmend-examples-2'));
    assert.equal(
      exampleCopyTarget('/p', (p) => p !== '/p/propmend-examples-3'),
      '/p/propmend-examples-3',
    );
    assert.equal(isExampleWorkspace(parent), false);
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});

test('the mistake is one relation name with a letter dropped, flagged by the checker with its fix', async () => {
  const line =
    '{"propagation":[{"path":["lives_in"]},{"path":["lives_in","located_in"]}],"locality":[{"path":["capital"]}]}';
  const typo = relationTypo(line);
  assert.deepEqual(typo && { wrong: typo.wrong, right: typo.right }, {
    wrong: 'locatd_in',
    right: 'located_in',
  });
  assert.equal(typo?.text, line.replace('"located_in"', '"locatd_in"'));
  assert.equal(relationTypo('{"path":["ab"]}'), undefined);

  const workspace = mkdtempSync(join(tmpdir(), 'propmend-mistake-'));
  try {
    const copy = copyExamples(join(root, 'examples'), workspace);
    const file = writeMistakeFile(copy);
    assert.equal(file, join(copy, MISTAKE_FILE));
    // Written once: a second call leaves the user's copy as it is.
    writeFileSync(file, 'kept\n');
    assert.equal(writeMistakeFile(copy), file);
    assert.equal(readFileSync(file, 'utf8'), 'kept\n');
    rmSync(file);
    writeMistakeFile(copy);
    const first = readFileSync(join(copy, EXAMPLE_DATASET), 'utf8').split('\n')[0] ?? '';
    const want = relationTypo(first);
    assert.equal(readFileSync(file, 'utf8'), `${want?.text}\n`);
    const [report] = await checkPaths([file], { roots: [copy] });
    const diagnostics = report?.diagnostics ?? [];
    const errors = diagnostics.filter((d) => d.severity === 'error');
    assert.equal(errors.length, 1, JSON.stringify(diagnostics));
    assert.match(errors[0]?.message ?? '', new RegExp(`did you mean "${want?.right}"`));
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
});

test('the first-run notice shows once, not in tests or with walkthroughs on install off, unless asked', () => {
  const base = { offered: false, testMode: false, walkthroughsOnInstall: true, env: undefined };
  assert.equal(shouldOfferWalkthrough(base), true);
  assert.equal(shouldOfferWalkthrough({ ...base, offered: true }), false);
  assert.equal(shouldOfferWalkthrough({ ...base, testMode: true }), false);
  assert.equal(shouldOfferWalkthrough({ ...base, walkthroughsOnInstall: false }), false);
  assert.equal(shouldOfferWalkthrough({ ...base, walkthroughsOnInstall: false, env: '1' }), true);
  assert.equal(shouldOfferWalkthrough({ ...base, testMode: true, env: '1' }), true);
  assert.equal(shouldOfferWalkthrough({ ...base, offered: true, env: '1' }), false);
  assert.equal(shouldOfferWalkthrough({ ...base, env: '0' }), false);
});
