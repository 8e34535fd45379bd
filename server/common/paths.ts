// Where the installed package lives, so commands can find the shipped assets (world, model) whether they
// run from source (tsx) or from the esbuild bundle in dist/. Filesystem lookups only.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let cached: string | undefined;

/** The folder of the nearest package.json named propmend-vscode above this module. */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = __dirname;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'propmend-vscode') {
          cached = dir;
          return dir;
        }
      } catch {
        // Not our manifest; keep walking up.
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the propmend-vscode package above ${__dirname}`);
    dir = parent;
  }
}

/** The shipped world and base model. */
export function shippedAssets(): { world: string; model: string } {
  const root = packageRoot();
  return { world: join(root, 'assets', 'world'), model: join(root, 'assets', 'models', 'tiny-world') };
}
