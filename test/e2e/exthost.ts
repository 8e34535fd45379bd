// Runs the extension-host suite (exthost/suite.ts) in two hosts: inside code-server, through the
// workbench URL's `payload` (extensionDevelopmentPath = the INSTALLED package, extensionTestsPath = the
// bundled suite), and in desktop VS Code through @vscode/test-electron, which is skipped with a printed
// reason when VS Code cannot be downloaded (it cannot on a network with only npm and Debian apt).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';
import type { Browser } from 'playwright-core';
import { extensionsDir } from './package';
import { e2eDir, repoRoot } from './setup';

/** The desktop VS Code matching code-server 4.100.3. */
const VSCODE_VERSION = '1.100.3';
/** The suite's own waits are shorter; this only guards against a host that never reports. */
const SUITE_TIMEOUT_MS = 120_000;

export interface HostResult {
  /** `pass <name>` / `FAIL <name>: <why>` lines, as the suite printed them. */
  lines: string[];
  exitCode: number;
}

/** Bundles the suite into .e2e/exthost/suite.js for the extension host to require. */
export async function bundleSuite(): Promise<string> {
  const esbuild = await import('esbuild');
  const outfile = join(e2eDir, 'exthost', 'suite.js');
  await esbuild.build({
    entryPoints: [join(repoRoot, 'test', 'e2e', 'exthost', 'suite.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    logLevel: 'warning',
  });
  return outfile;
}

/** The folder code-server installed the package into (publisher.name-version). */
export function installedExtensionPath(): string {
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    publisher: string;
    name: string;
    version: string;
  };
  return join(extensionsDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`);
}

export async function runInCodeServer(
  browser: Browser,
  url: string,
  workspace: string,
  suite: string,
): Promise<HostResult> {
  const authority = new URL(url).host;
  const remote = (path: string) => `vscode-remote://${authority}${path}`;
  const payload = [
    ['extensionDevelopmentPath', remote(installedExtensionPath())],
    ['extensionTestsPath', remote(suite)],
  ];
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  const lines: string[] = [];
  try {
    const exit = new Promise<number>((done) => {
      void page.exposeFunction('codeAutomationExit', (code: number) => done(code));
    });
    await page.exposeFunction('codeAutomationLog', (_type: string, args: unknown[]) => {
      const text = args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
      for (const line of text.split('\n')) {
        const m = line.match(/exthost: ((?:pass|FAIL) .*)/);
        if (m?.[1]) lines.push(m[1]);
      }
    });
    await page.goto(
      `${url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`,
      { timeout: SUITE_TIMEOUT_MS },
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<number>((done) => {
      timer = setTimeout(() => done(-1), SUITE_TIMEOUT_MS);
    });
    const exitCode = await Promise.race([exit, timeout]).finally(() => clearTimeout(timer));
    if (exitCode === -1)
      lines.push(`FAIL the extension-host suite: no result within ${SUITE_TIMEOUT_MS / 1000} s`);
    return { lines, exitCode };
  } finally {
    await page.close().catch(() => undefined);
  }
}

/** Desktop VS Code through @vscode/test-electron, or the reason it cannot run here. */
export async function runInElectron(
  workspace: string,
  suite: string,
): Promise<HostResult | { skipped: string }> {
  let executable: string;
  try {
    executable = await downloadAndUnzipVSCode({
      version: VSCODE_VERSION,
      cachePath: join(e2eDir, 'vscode-test'),
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return { skipped: `cannot download VS Code ${VSCODE_VERSION} (${reason})` };
  }
  // The suite's lines go to VS Code's own output; the exit code carries the result.
  const exitCode = await runTests({
    vscodeExecutablePath: executable,
    extensionDevelopmentPath: installedExtensionPath(),
    extensionTestsPath: suite,
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
  }).catch(() => 1);
  return {
    lines: [`${exitCode === 0 ? 'pass' : 'FAIL'} the suite in desktop VS Code ${VSCODE_VERSION}`],
    exitCode,
  };
}
