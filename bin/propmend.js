#!/usr/bin/env node
// Launcher for the `propmend` CLI: loads the bundle that `npm ci` (prepare) or `npm run build` writes.
// It owns nothing else; all commands live in server/cli/.
const path = require('node:path');
const fs = require('node:fs');

const bundle = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(bundle)) {
  process.stderr.write(
    `propmend: ${bundle} is missing; run \`npm run build\` in ${path.dirname(__dirname)}\n`,
  );
  process.exit(2);
}
require(bundle).main(process.argv.slice(2));
