#!/usr/bin/env node
// Launcher for the `propmend` CLI: runs the bundle (dist/cli.js) in a child process under dist/supervisor.js,
// which relays SIGINT/SIGTERM and ends a command that does not stop within a second of a signal. In a source
// checkout without dist/ (`npm ci` runs no scripts, see .npmrc) it builds once first. It owns nothing else;
// all commands live in server/cli/.
const path = require('node:path');
const fs = require('node:fs');
const { spawnSync } = require('node:child_process');

const root = path.join(__dirname, '..');
const dist = path.join(root, 'dist');
const bundle = path.join(dist, 'cli.js');
const supervisor = path.join(dist, 'supervisor.js');
const build = path.join(root, 'esbuild.js');
if (!(fs.existsSync(bundle) && fs.existsSync(supervisor)) && fs.existsSync(build)) {
  spawnSync(process.execPath, [build, '--quiet'], { cwd: root, stdio: 'inherit' });
}
for (const file of [bundle, supervisor]) {
  if (!fs.existsSync(file)) {
    process.stderr.write(
      `propmend: ${file} is missing; run \`npm run build\` in ${path.dirname(__dirname)}\n`,
    );
    process.exit(2);
  }
}
if (process.env.PROPMEND_SUPERVISOR_PID === String(process.ppid)) require(bundle).main(process.argv.slice(2));
else require(supervisor).superviseCli(__filename, process.argv.slice(2));
