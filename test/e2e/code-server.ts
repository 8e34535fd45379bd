// One code-server for one E2E run: a fresh profile in a temp folder (settings, XDG folders, a COPY of
// examples/ as the workspace), the server on 127.0.0.1 with a free port, and a stop that ends its whole
// process group (extension host, language server, sidecar). Never touches ~/.config, ~/.local or examples/.
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extensionsDir } from './package';
import { repoRoot } from './setup';

/** How long code-server may take to print its listening line. */
const START_TIMEOUT_MS = 60_000;
/** How long a stopped process group gets between SIGTERM and SIGKILL. */
const STOP_GRACE_MS = 3_000;

export interface Profile {
  root: string;
  userDataDir: string;
  /** The copy of examples/ the workbench opens. */
  workspace: string;
  env: NodeJS.ProcessEnv;
  /** code-server flags that select this profile. */
  args: string[];
}

/** The workbench settings of the test profile: no trust prompt, no welcome page, no auto-save. */
export const PROFILE_SETTINGS = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  // code-server's web default saves after a delay: a test's edits must never reach the workspace copy.
  'files.autoSave': 'off',
  // Nor may an unsaved edit of one window be restored into the next (the extension-host suite's).
  'files.hotExit': 'off',
  'git.enabled': false,
  'window.restoreWindows': 'none',
};

export function makeProfile(): Profile {
  const root = mkdtempSync(join(tmpdir(), 'propmend-e2e-'));
  const userDataDir = join(root, 'user-data');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  writeFileSync(join(userDataDir, 'User', 'settings.json'), `${JSON.stringify(PROFILE_SETTINGS, null, 2)}\n`);
  // Machine-scoped settings (walkthroughs.openOnInstall) reach code-server's extension host only from here.
  mkdirSync(join(userDataDir, 'Machine'), { recursive: true });
  writeFileSync(
    join(userDataDir, 'Machine', 'settings.json'),
    `${JSON.stringify(PROFILE_SETTINGS, null, 2)}\n`,
  );
  const workspace = join(root, 'examples');
  cpSync(join(repoRoot, 'examples'), workspace, { recursive: true });
  const xdg = join(root, 'xdg');
  const env = {
    ...process.env,
    XDG_CONFIG_HOME: join(xdg, 'config'),
    XDG_DATA_HOME: join(xdg, 'data'),
    XDG_CACHE_HOME: join(xdg, 'cache'),
    // No marketplace look-ups: this network has none, and a run must not depend on one.
    EXTENSIONS_GALLERY: '{}',
  };
  const config = join(root, 'config.yaml');
  writeFileSync(config, 'bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n');
  const args = ['--config', config, '--user-data-dir', userDataDir];
  return { root, userDataDir, workspace, env, args };
}

export function removeProfile(profile: Profile): void {
  rmSync(profile.root, { recursive: true, force: true });
}

export interface CodeServer {
  url: string;
  /** Everything code-server printed, for failure reports. */
  log(): string;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();

/** Ends every code-server process group still running; safe to call from an exit handler. */
export function killAllCodeServers(): void {
  for (const child of running) {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  running.clear();
}

export async function startCodeServer(entry: string, profile: Profile): Promise<CodeServer> {
  const child = spawn(
    process.execPath,
    [
      entry,
      ...profile.args,
      '--bind-addr',
      '127.0.0.1:0',
      '--auth',
      'none',
      '--extensions-dir',
      extensionsDir,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--ignore-last-opened',
    ],
    { env: profile.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.add(child);
  const output: string[] = [];
  const exited = new Promise<void>((done) => child.on('exit', () => done()));
  const stop = async () => {
    if (!running.has(child)) return;
    try {
      if (child.pid) process.kill(-child.pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
    const timer = new Promise<void>((done) => setTimeout(done, STOP_GRACE_MS).unref());
    await Promise.race([exited, timer]);
    killAllOf(child);
    running.delete(child);
  };
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`code-server printed no listening line in ${START_TIMEOUT_MS / 1000} s`)),
      START_TIMEOUT_MS,
    );
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString());
      const match = output.join('').match(/HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)\//);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`code-server exited (code ${code}) before listening:\n${output.join('')}`));
    });
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  return { url, log: () => output.join(''), stop };
}

function killAllOf(child: ChildProcess): void {
  try {
    if (child.pid) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // The group has ended.
  }
}
