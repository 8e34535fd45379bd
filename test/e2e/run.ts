// `npm run test:e2e`: the extension in a real VS Code (code-server 4.100.3) driven by Debian's Chromium.
// Installs code-server once (setup.ts), packages and installs the extension (package.ts), opens a copy
// of examples/ with a fresh profile (code-server.ts), runs the scenarios (scenarios.ts) and the
// extension-host suite (exthost.ts), and prints `e2e: N passed, M failed`. Screenshots of every step go to
// test-results/e2e/. Everything it starts is ended at the end, on failure, on a signal and on timeout.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Browser } from 'playwright-core';
import {
  type CodeServer,
  killAllCodeServers,
  makeProfile,
  removeProfile,
  startCodeServer,
} from './code-server';
import { bundleSuite, type HostResult, runInCodeServer, runInElectron } from './exthost';
import { installExtension, packageExtension } from './package';
import { ALL_SCENARIOS, selectedScenarios } from './scenarios';
import { ensureCodeServer, repoRoot, SetupError } from './setup';
import { launchBrowser, Workbench } from './workbench';

/** The whole run, setup included; a first install of code-server takes minutes on its own. */
const SUITE_TIMEOUT_MS = 15 * 60_000;

const resultsDir = join(repoRoot, 'test-results', 'e2e');
const log = (line: string) => process.stderr.write(`${line}\n`);

interface Outcome {
  name: string;
  ok: boolean;
  seconds: number;
  error?: string;
}

let browser: Browser | undefined;
let server: CodeServer | undefined;

async function shutdown(): Promise<void> {
  await browser?.close().catch(() => undefined);
  browser = undefined;
  await server?.stop();
  server = undefined;
  killAllCodeServers();
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** The activation times the extension logged into its output channel (VS Code keeps channels as log files). */
function activationTimes(profileRoot: string): number[] {
  const times: number[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.log')) {
        for (const m of readFileSync(path, 'utf8').matchAll(/PropMEND extension activated in (\d+) ms/g)) {
          times.push(Number(m[1]));
        }
      }
    }
  };
  if (existsSync(profileRoot)) walk(profileRoot);
  return times;
}

/** One outcome per test line a host printed; a host that failed without lines is one failure. */
function hostOutcomes(host: string, result: HostResult, total: number): Outcome[] {
  const outcomes: Outcome[] = result.lines.map((line) => {
    const ok = line.startsWith('pass ');
    const [name, ...why] = line.replace(/^(pass|FAIL) /, '').split(': ');
    return { name: `${host}: ${name}`, ok, seconds: 0, ...(ok ? {} : { error: why.join(': ') }) };
  });
  if (result.exitCode !== 0 && outcomes.every((o) => o.ok)) {
    outcomes.push({
      name: `${host}: suite`,
      ok: false,
      seconds: total,
      error: `exit code ${result.exitCode}`,
    });
  }
  if (outcomes[0]) outcomes[0].seconds = total;
  return outcomes;
}

function seconds(since: number): number {
  return Math.round((Date.now() - since) / 100) / 10;
}

async function main(): Promise<number> {
  const started = Date.now();
  const scenarios = selectedScenarios();
  rmSync(resultsDir, { recursive: true, force: true });
  mkdirSync(resultsDir, { recursive: true });
  const entry = await ensureCodeServer(log);
  const setupDone = Date.now();
  const hash = packageExtension(log);
  const profile = makeProfile();
  const outcomes: Outcome[] = [];
  let activation: number[] = [];
  try {
    installExtension(entry, hash, profile.args, profile.env, log);
    // Every seed, also of scenarios not selected: the extension-host suite expects the seeded typo.
    for (const scenario of ALL_SCENARIOS) scenario.seed?.(profile.workspace);
    const suite = await bundleSuite();
    const packaged = Date.now();
    try {
      server = await startCodeServer(entry, profile);
      browser = await launchBrowser();
      const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
      const wb = new Workbench(page, resultsDir);
      await wb.open(server.url, profile.workspace);
      await wb.extensionReady();
      const opened = Date.now();
      const span = (from: number, to: number) => `${((to - from) / 1000).toFixed(1)} s`;
      log(
        `e2e: ready after ${span(started, opened)} (code-server install check ${span(started, setupDone)}, ` +
          `build and package ${span(setupDone, packaged)}, start and open the workbench ${span(packaged, opened)})`,
      );
      for (const scenario of scenarios) {
        const t0 = Date.now();
        const ctx = {
          wb,
          workspace: profile.workspace,
          step: async (name: string) => void (await wb.screenshot(scenario.name, name)),
        };
        try {
          await withTimeout(scenario.run(ctx), scenario.timeoutMs, `scenario ${scenario.name}`);
          outcomes.push({ name: scenario.name, ok: true, seconds: seconds(t0) });
        } catch (error) {
          await wb.screenshot(scenario.name, 'failed').catch(() => undefined);
          const toasts = await wb.notifications().catch(() => []);
          const message = error instanceof Error ? error.message : String(error);
          outcomes.push({
            name: scenario.name,
            ok: false,
            seconds: seconds(t0),
            error: toasts.length ? `${message}\n  notifications: ${toasts.join(' | ')}` : message,
          });
          await page.keyboard.press('Escape').catch(() => undefined);
        }
      }
      await page.close();
      const t0 = Date.now();
      const host = await runInCodeServer(browser, server.url, profile.workspace, suite);
      outcomes.push(...hostOutcomes('exthost', host, seconds(t0)));
    } finally {
      await shutdown();
    }
    const t0 = Date.now();
    const electron = await runInElectron(profile.workspace, suite);
    if ('skipped' in electron) log(`e2e: @vscode/test-electron suite skipped: ${electron.skipped}`);
    else outcomes.push(...hostOutcomes('electron', electron, seconds(t0)));
  } finally {
    activation = activationTimes(profile.root);
    removeProfile(profile);
  }
  if (activation.length) log(`e2e: the extension reported activation in ${activation.join(', ')} ms`);
  for (const o of outcomes) {
    log(`  ${o.ok ? 'pass' : 'FAIL'} ${o.name} (${o.seconds} s)${o.error ? `\n    ${o.error}` : ''}`);
  }
  const passed = outcomes.filter((o) => o.ok).length;
  const failed = outcomes.length - passed;
  writeFileSync(
    join(resultsDir, 'summary.json'),
    `${JSON.stringify({ passed, failed, seconds: seconds(started), activation_ms: activation, scenarios: outcomes }, null, 2)}\n`,
  );
  log(`e2e: screenshots in ${relative(repoRoot, resultsDir)}/`);
  process.stdout.write(`e2e: ${passed} passed, ${failed} failed (${seconds(started)} s)\n`);
  return failed === 0 && passed > 0 ? 0 : 1;
}

function fail(error: unknown): void {
  process.stderr.write(
    `e2e: ${error instanceof SetupError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
}

process.on('exit', killAllCodeServers);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    log(`e2e: ${signal}, stopping`);
    void shutdown().finally(() => process.exit(130));
  });
}
const watchdog = setTimeout(() => {
  log(`e2e: the suite ran past ${SUITE_TIMEOUT_MS / 60_000} minutes, stopping`);
  void shutdown().finally(() => process.exit(1));
}, SUITE_TIMEOUT_MS);
main().then(
  (code) => {
    clearTimeout(watchdog);
    process.exitCode = code;
  },
  async (error: unknown) => {
    clearTimeout(watchdog);
    fail(error);
    await shutdown();
    process.exitCode = 1;
  },
);
