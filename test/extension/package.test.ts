// package.json as VS Code reads it: settings get readable labels in the Settings editor (VS Code derives
// them from the key: `propmend.kb` showed as "Propmend: Kb"), each in a titled category with an order, and
// every command the extension registers is contributed with a title.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

const root = resolve(__dirname, '..', '..');
interface Category {
  id: string;
  title: string;
  order?: number;
  properties: Record<string, { order?: number; description?: string; markdownDescription?: string }>;
}
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  contributes: { configuration: Category[]; commands?: Array<{ command: string; title: string }> };
};

/** The label VS Code's Settings editor shows for a key: the last segment, camelCase split into words. */
function label(key: string): string {
  const last = key.slice(key.lastIndexOf('.') + 1).replace(/([a-z0-9])([A-Z])/g, '$1 $2');
  return last.charAt(0).toUpperCase() + last.slice(1);
}

test('settings are grouped in titled categories, ordered, with labels of whole words', () => {
  assert.ok(Array.isArray(pkg.contributes.configuration), 'configuration is a list of categories');
  const labels: string[] = [];
  for (const category of pkg.contributes.configuration) {
    assert.ok(category.title && category.id.startsWith('propmend.'), JSON.stringify(category.id));
    for (const [key, setting] of Object.entries(category.properties)) {
      assert.equal(typeof setting.order, 'number', `${key} has no order`);
      assert.ok(setting.description ?? setting.markdownDescription, `${key} has no description`);
      labels.push(label(key));
    }
  }
  assert.ok(labels.includes('Knowledge Base'), labels.join(', '));
  // No label is an abbreviation of two letters or fewer ("Kb").
  assert.deepEqual(
    labels.filter((l) => l.length <= 2),
    [],
  );
});

test('every command the extension registers is contributed with a title', () => {
  const registered = new Set<string>();
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.name.endsWith('.ts'))
        // registerCommand('id', ...) and the command table's `'propmend.id': (arg) => ...` entries.
        for (const m of readFileSync(path, 'utf8').matchAll(
          /registerCommand\(\s*'([^']+)'|'(propmend\.\w+)': \(/g,
        ))
          registered.add((m[1] ?? m[2]) as string);
    }
  };
  walk(join(root, 'extension'));
  const contributed = new Map((pkg.contributes.commands ?? []).map((c) => [c.command, c.title]));
  for (const id of registered) {
    assert.ok(contributed.has(id), `${id} is registered but not contributed`);
  }
  for (const [id, title] of contributed) assert.ok(title.length > 3, `${id} has no title`);
  assert.ok(registered.size >= 11, [...registered].join(', '));
});
