// One build for every bundle of the project: the VS Code extension, the language server, the `propmend` CLI,
// its launcher's supervisor, the runtime sidecar, and the webviews (browser platform, into dist/webviews/
// with their CSS and @vscode-elements/elements' self-contained bundle, the only folder a webview may load
// from). Each bundle has its own options object (docs/architecture.md, "Where the next parts go").
// Type-checking is not done here: `npm run check-types` runs tsc separately.
// Usage: node esbuild.js [--watch] [--production] [--quiet]   (--production: minified, no source maps; npm run package)
const esbuild = require('esbuild');
const fs = require('node:fs');
const path = require('node:path');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const quiet = process.argv.includes('--quiet');

// Native addons and packages that load files relative to their own folder stay outside the bundles.
const nodeExternals = ['onnxruntime-node'];

const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  // Minified names would hide which class an error or a log line comes from.
  keepNames: production,
  logLevel: 'warning',
  absWorkingDir: __dirname,
};

/** @type {Record<string, import('esbuild').BuildOptions>} */
const bundles = {
  // The extension host loads this with require(); only it may import `vscode`.
  extension: {
    ...common,
    entryPoints: { extension: 'extension/main.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', ...nodeExternals],
  },
  // The language server: a plain Node process speaking LSP over stdio.
  lsp: {
    ...common,
    entryPoints: { lsp: 'server/lsp/main.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: nodeExternals,
  },
  // The `propmend` CLI (bin/propmend.js loads it): the runtime and the checker, headless.
  cli: {
    ...common,
    entryPoints: { cli: 'server/cli/main.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: nodeExternals,
  },
  // The runtime sidecar the extension starts (`node dist/sidecar.js`): JSON-RPC on stdio, one process with no
  // supervisor in between, so a kill reaches the process that holds the model. `propmend serve --stdio` runs
  // the same code from the CLI bundle.
  sidecar: {
    ...common,
    entryPoints: { sidecar: 'server/sidecar/entry.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: nodeExternals,
  },
  // The launcher's supervisor (bin/propmend.js): Node built-ins only, so it starts in milliseconds.
  supervisor: {
    ...common,
    entryPoints: { supervisor: 'server/cli/supervisor.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  // The propagation diff webview: a browser script loaded by extension/diff-panel.ts under a strict CSP.
  'webview-diff': {
    ...common,
    entryPoints: { diff: 'webviews/diff/main.ts' },
    outdir: 'dist/webviews',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  },
  // The training webview: curves and run controls, loaded by extension/training/panel.ts under a strict CSP.
  'webview-train': {
    ...common,
    entryPoints: { train: 'webviews/train/main.ts' },
    outdir: 'dist/webviews',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  },
  // The edit-spec form: a browser script loaded by extension/editors/spec-form-editor.ts under a strict CSP.
  'webview-spec-form': {
    ...common,
    entryPoints: { 'spec-form': 'webviews/spec-form/main.ts' },
    outdir: 'dist/webviews',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  },
};

/** Files the webviews load beside their bundles: copied, so `localResourceRoots` is dist/webviews/ alone. */
const webviewAssets = [
  ['webviews/diff/diff.css', 'dist/webviews/diff.css'],
  ['webviews/train/train.css', 'dist/webviews/train.css'],
  ['webviews/spec-form/spec-form.css', 'dist/webviews/spec-form.css'],
  ['node_modules/@vscode-elements/elements/dist/bundled.js', 'dist/webviews/vscode-elements.js'],
];

function copyWebviewAssets() {
  for (const [from, to] of webviewAssets) {
    fs.mkdirSync(path.dirname(path.join(__dirname, to)), { recursive: true });
    fs.copyFileSync(path.join(__dirname, from), path.join(__dirname, to));
  }
}

async function main() {
  const contexts = await Promise.all(
    Object.entries(bundles).map(async ([name, options]) => {
      const ctx = await esbuild.context(options);
      return { name, ctx };
    }),
  );
  copyWebviewAssets();
  if (watch) {
    await Promise.all(contexts.map(({ ctx }) => ctx.watch()));
    console.error(`esbuild: watching ${contexts.map((c) => c.name).join(', ')}`);
    return;
  }
  // Dispose every context even when a bundle fails: open contexts would keep the process alive.
  let failed = null;
  for (const { name, ctx } of contexts) {
    try {
      await ctx.rebuild();
    } catch (error) {
      console.error(`esbuild: bundle "${name}" failed`);
      failed ??= error;
    }
  }
  await Promise.all(contexts.map(({ ctx }) => ctx.dispose()));
  if (failed) throw failed;
  if (quiet) return;
  console.error(
    `esbuild: built ${contexts.map((c) => c.name).join(', ')} into ${path.join(__dirname, 'dist')}`,
  );
}

main().catch(() => {
  process.exitCode = 1;
});
