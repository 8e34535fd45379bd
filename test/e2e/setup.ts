// Installs the E2E harness's VS Code: code-server 4.100.3 (VS Code 1.100.3, the last release that runs on
// Node 20) from the npm registry into the git-ignored .e2e/code-server/, once; later runs reuse it.
// Follows ../shared/notes/vscode-e2e.md: Debian's ripgrep stands in for @vscode/ripgrep's GitHub download,
// node-pty's postinstall may run npx. Owns .e2e/code-server only; never touches the project's node_modules.
// Usage: node --import tsx test/e2e/setup.ts   (npm run test:e2e calls it first)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { CHROMIUM } from '../support/chromium';

export const CODE_SERVER_VERSION = '4.100.3';
/** @vscode/ripgrep's version in code-server 4.100.3 and the archive it would download from GitHub. */
const RIPGREP_CACHE = 'vscode-ripgrep-cache-1.15.11/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';
/** Debian packages the harness needs: a browser, ripgrep, and kerberos headers for code-server's native build. */
export const APT_PACKAGES = 'chromium libkrb5-dev pkg-config ripgrep';

export const repoRoot = resolve(import.meta.dirname, '..', '..');
export const e2eDir = join(repoRoot, '.e2e');
const installDir = join(e2eDir, 'code-server');
const marker = join(installDir, `installed-${CODE_SERVER_VERSION}`);
export const codeServerEntry = join(installDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');

/** A setup problem the user can fix; the runner prints its message without a stack trace. */
export class SetupError extends Error {}

function which(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function checkSystem(): void {
  const missing = [
    existsSync(CHROMIUM) ? null : CHROMIUM,
    which('rg') ? null : 'rg',
    which('pkg-config') ? null : 'pkg-config',
  ].filter((m): m is string => m !== null);
  if (missing.length > 0) {
    throw new SetupError(
      `missing ${missing.join(', ')}: install the Debian packages with ` +
        `\`sudo apt-get install -y ${APT_PACKAGES}\` (.ci/run does this)`,
    );
  }
}

const NETWORK_ERRORS = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|network/i;

/** Installs code-server unless the marker of a finished install is there; returns the entry script. */
export async function ensureCodeServer(log: (line: string) => void): Promise<string> {
  if (existsSync(marker) && existsSync(codeServerEntry)) return codeServerEntry;
  checkSystem();
  const started = Date.now();
  log(`e2e: installing code-server ${CODE_SERVER_VERSION} into ${relative(repoRoot, installDir)}/ (once)`);
  rmSync(installDir, { recursive: true, force: true });
  const tmp = join(installDir, 'tmp');
  mkdirSync(join(tmp, RIPGREP_CACHE, '..'), { recursive: true });
  // Its own package.json makes this folder the npm project, so the repository's .npmrc does not apply.
  writeFileSync(join(installDir, 'package.json'), '{ "private": true }\n');
  const tar = spawnSync('tar', ['czf', join(tmp, RIPGREP_CACHE), '-C', '/usr/bin', 'rg']);
  if (tar.status !== 0) throw new SetupError(`cannot pack /usr/bin/rg for @vscode/ripgrep: ${tar.stderr}`);
  const xdg = join(tmp, 'xdg');
  const env = {
    ...process.env,
    TMPDIR: tmp,
    XDG_CONFIG_HOME: join(xdg, 'config'),
    XDG_DATA_HOME: join(xdg, 'data'),
    XDG_CACHE_HOME: join(xdg, 'cache'),
    npm_config_yes: 'true',
    npm_config_ignore_scripts: 'false',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
  const args = ['install', `code-server@${CODE_SERVER_VERSION}`, '--unsafe-perm', '--foreground-scripts'];
  const output: string[] = [];
  const status = await new Promise<number | null>((done) => {
    const child = spawn('npm', args, { cwd: installDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      output.push(chunk.toString());
      if (output.length > 400) output.shift();
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('close', done);
    child.on('error', () => done(null));
  });
  const text = output.join('');
  if (status !== 0 || !existsSync(codeServerEntry)) {
    if (NETWORK_ERRORS.test(text)) {
      throw new SetupError(
        `cannot reach the npm registry to install code-server ${CODE_SERVER_VERSION} into ` +
          `${relative(repoRoot, installDir)}/; connect to the registry and rerun npm run test:e2e ` +
          `(npm said: ${text.match(/npm error .*(ENOTFOUND|EAI_AGAIN|ECONN\w+|ETIMEDOUT|ENETUNREACH).*/)?.[0] ?? 'network error'})`,
      );
    }
    throw new SetupError(
      `npm install code-server@${CODE_SERVER_VERSION} failed (exit ${status}) in ` +
        `${relative(repoRoot, installDir)}/; the last lines of its output:\n${text.split('\n').slice(-25).join('\n')}`,
    );
  }
  rmSync(tmp, { recursive: true, force: true });
  writeFileSync(marker, `${new Date().toISOString()}\n`);
  log(`e2e: code-server installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return codeServerEntry;
}

if (import.meta.filename === process.argv[1]) {
  ensureCodeServer((line) => process.stderr.write(`${line}\n`)).then(
    (entry) => process.stdout.write(`${entry}\n`),
    (error: unknown) => {
      process.stderr.write(`e2e: ${error instanceof SetupError ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
