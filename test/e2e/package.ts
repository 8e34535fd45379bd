// Builds the bundles and packages the extension as a .vsix with @vscode/vsce (what .vscodeignore lets in),
// then installs it into the harness's extensions folder with code-server --install-extension.
// Both steps are skipped when a content hash of their inputs matches the last run (packaging zips ~45 MB
// of onnxruntime and takes ~30 s on the 2-core VM). Writes only under .e2e/ and dist/.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { e2eDir, repoRoot, SetupError } from './setup';

export const vsixPath = join(e2eDir, 'propmend.vsix');
export const extensionsDir = join(e2eDir, 'extensions');
const vsixHashFile = join(e2eDir, 'propmend.vsix.sha256');
const installedHashFile = join(extensionsDir, 'propmend.vsix.sha256');

function run(what: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): string {
  const result = spawnSync(command, args, { cwd: repoRoot, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (result.status !== 0) {
    throw new SetupError(`${what} failed (exit ${result.status}):\n${result.stdout}${result.stderr}`.trim());
  }
  return result.stdout;
}

/** Files whose content goes into the package; big binaries are represented by size and mtime. */
function packageInputs(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir).sort()) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else files.push(path);
    }
  };
  for (const dir of ['dist', 'schemas', 'assets', 'bin']) walk(join(repoRoot, dir));
  for (const file of ['package.json', '.vscodeignore', 'README.md', 'LICENSE'])
    files.push(join(repoRoot, file));
  files.push(join(repoRoot, 'node_modules', 'onnxruntime-node', 'package.json'));
  return files.filter((f) => !f.endsWith('.map'));
}

function inputsHash(): string {
  const hash = createHash('sha256');
  for (const file of packageInputs()) {
    const stat = statSync(file);
    hash.update(relative(repoRoot, file));
    if (stat.size > 4 << 20) hash.update(`${stat.size}:${stat.mtimeMs}`);
    else hash.update(readFileSync(file));
  }
  return hash.digest('hex');
}

function readIfExists(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

/** Builds every bundle and packages the extension unless an identical package exists; returns its hash. */
export function packageExtension(log: (line: string) => void): string {
  run('node esbuild.js', process.execPath, [join(repoRoot, 'esbuild.js'), '--quiet']);
  const hash = inputsHash();
  if (existsSync(vsixPath) && readIfExists(vsixHashFile) === hash) return hash;
  const started = Date.now();
  rmSync(vsixPath, { force: true });
  run('vsce package', process.execPath, [
    join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce'),
    'package',
    '--allow-missing-repository',
    '--out',
    vsixPath,
  ]);
  writeFileSync(vsixHashFile, hash);
  log(`e2e: packaged ${relative(repoRoot, vsixPath)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return hash;
}

/** Installs the package into .e2e/extensions/ unless that exact package is installed there. */
export function installExtension(
  codeServerEntry: string,
  hash: string,
  profileArgs: string[],
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): void {
  if (readIfExists(installedHashFile) === hash) return;
  const started = Date.now();
  rmSync(extensionsDir, { recursive: true, force: true });
  run(
    'code-server --install-extension',
    process.execPath,
    [
      codeServerEntry,
      ...profileArgs,
      '--extensions-dir',
      extensionsDir,
      '--install-extension',
      vsixPath,
      '--force',
    ],
    env,
  );
  writeFileSync(installedHashFile, hash);
  log(`e2e: installed the package in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
