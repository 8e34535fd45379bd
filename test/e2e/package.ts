// Packages the extension exactly as `npm run package` does (scripts/package.ts: minified bundles, this
// machine's onnxruntime binaries, the Marketplace README), then installs that .vsix into the harness's
// extensions folder with code-server --install-extension, as a user installs it.
// Both steps are skipped when a content hash of their inputs matches the last run (packaging zips ~45 MB
// of onnxruntime and takes ~20 s on the 2-core VM). Writes only under .e2e/ and dist/.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  buildProduction,
  hostTarget,
  MARKETPLACE_README,
  megabytes,
  PackageError,
  packageBuilt,
} from '../../scripts/package';
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
  for (const dir of ['dist', 'schemas', 'assets', 'bin', 'examples', 'media']) walk(join(repoRoot, dir));
  for (const file of ['package.json', '.vscodeignore', MARKETPLACE_README, 'LICENSE'])
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

/** Builds the production bundles and packages this machine's .vsix unless an identical one exists; returns its hash. */
export function packageExtension(log: (line: string) => void): string {
  const target = hostTarget();
  if (!target) throw new SetupError(`no package target for ${process.platform}-${process.arch}`);
  try {
    buildProduction();
    const hash = inputsHash();
    if (existsSync(vsixPath) && readIfExists(vsixHashFile) === hash) return hash;
    const started = Date.now();
    const made = packageBuilt(target, vsixPath);
    writeFileSync(vsixHashFile, hash);
    log(
      `e2e: packaged ${relative(repoRoot, vsixPath)} (${target}, ${megabytes(made.bytes)}, ${made.files} files) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    return hash;
  } catch (error) {
    if (error instanceof PackageError) throw new SetupError(error.message);
    throw error;
  }
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
