// README.md's command and setting tables are generated from package.json (scripts/readme-tables.ts): this
// fails when someone adds a command or setting without running `npm run readme-tables`, and checks the
// generator itself on a small manifest.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import {
  commandTable,
  type Manifest,
  readManifest,
  settingsTable,
  table,
  updateReadme,
} from '../../scripts/readme-tables';

const root = resolve(__dirname, '..', '..');

test('README.md lists every command and setting of package.json (run npm run readme-tables to fix)', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const manifest = readManifest();
  assert.equal(
    updateReadme(readme, manifest),
    readme,
    'README tables differ from package.json: run npm run readme-tables',
  );
  for (const c of manifest.contributes.commands ?? [])
    assert.ok(readme.includes(`\`${c.command}\``), c.command);
});

test('the tables name the palette title, the menus and the defaults, and escape pipes', () => {
  const manifest: Manifest = {
    contributes: {
      commands: [
        { command: 'x.run', title: 'Run', category: 'X' },
        { command: 'x.hidden', title: 'Hidden' },
      ],
      menus: {
        commandPalette: [{ command: 'x.hidden', when: 'false' }],
        'editor/title': [{ command: 'x.run' }],
      },
      configuration: [
        { title: 'Second', order: 2, properties: { 'x.b': { default: 0, description: 'b', order: 1 } } },
        {
          title: 'First',
          order: 1,
          properties: {
            'x.a': { default: '', enum: ['p', 'q'], markdownDescription: 'a | or\nnot', order: 1 },
          },
        },
      ],
    },
  };
  const squeeze = (text: string) => text.replace(/ {2,}/g, ' ').replace(/-{4,}/g, '---');
  assert.equal(
    squeeze(commandTable(manifest)),
    '| Command | Id | Where |\n| --- | --- | --- |\n| X: Run | `x.run` | palette, editor title |\n| Hidden | `x.hidden` | |',
  );
  assert.equal(
    squeeze(settingsTable(manifest)).split('\n').slice(2).join('\n'),
    '| `x.a` | First | `""` | a \\| or not Values: `p`, `q`. |\n| `x.b` | Second | `0` | b |',
  );
  // Columns padded as Biome formats markdown tables, so the formatter leaves the generated text alone.
  assert.deepEqual(table(['A', 'Longer'], [['x', 'y']]).split('\n'), [
    '| A   | Longer |',
    '| --- | ------ |',
    '| x   | y      |',
  ]);
  assert.throws(() => updateReadme('no markers', manifest), /no "<!-- commands:start/);
});
