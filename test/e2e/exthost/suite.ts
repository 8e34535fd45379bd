// Extension-host tests: run INSIDE VS Code's extension host (code-server's, or desktop VS Code's through
// @vscode/test-electron), bundled by exthost.ts with `vscode` external. They read what the extension
// exposes to VS Code (commands, diagnostics, processes) and never drive the UI (scenarios.ts does that).
// Reports one `exthost: pass|FAIL <name>` line per test and rejects when any failed.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';

const EXTENSION_ID = 'propmend.propmend-vscode';
/** Language-server start and first check inside a loaded 2-core VM. */
const DIAGNOSTICS_TIMEOUT_MS = 45_000;

interface Manifest {
  contributes?: { commands?: Array<{ command: string; title: string }> };
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new Error(message);
}

async function until<T>(what: string, ms: number, probe: () => T | undefined): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Command lines of this process' descendants (Linux /proc), to see what the extension started. */
function descendants(root: number): string[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(join('/proc', entry, 'stat'), 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parentOf.set(Number(entry), Number(fields[1]));
    } catch {
      // The process ended while we looked.
    }
  }
  const out: string[] = [];
  for (const pid of parentOf.keys()) {
    let p = parentOf.get(pid);
    while (p !== undefined && p !== root && p > 1) p = parentOf.get(p);
    if (p !== root) continue;
    try {
      out.push(
        readFileSync(join('/proc', String(pid), 'cmdline'), 'utf8')
          .split('\0')
          .join(' ')
          .trim(),
      );
    } catch {
      // Ended.
    }
  }
  return out;
}

const tests: Array<[string, () => Promise<void>]> = [
  [
    'the installed extension activates',
    async () => {
      const ext = vscode.extensions.getExtension(EXTENSION_ID);
      check(ext !== undefined, `${EXTENSION_ID} is not installed`);
      await ext?.activate();
      check(ext?.isActive === true, `${EXTENSION_ID} did not activate`);
    },
  ],
  [
    'every contributed command is registered after activation',
    async () => {
      const ext = vscode.extensions.getExtension(EXTENSION_ID);
      const manifest = ext?.packageJSON as Manifest;
      const contributed = (manifest.contributes?.commands ?? []).map((c) => c.command);
      const registered = new Set(await vscode.commands.getCommands(true));
      const missing = contributed.filter((c) => !registered.has(c));
      check(missing.length === 0, `contributed but not registered: ${missing.join(', ')}`);
    },
  ],
  [
    'the language server reports the seeded typo as an error',
    async () => {
      const folder = vscode.workspace.workspaceFolders?.[0];
      check(folder !== undefined, 'no workspace folder is open');
      const uri = vscode.Uri.joinPath(folder!.uri, 'dataset', 'validation.ripple.jsonl');
      await vscode.window.showTextDocument(uri);
      const diagnostic = await until('the unknown-relation diagnostic', DIAGNOSTICS_TIMEOUT_MS, () =>
        vscode.languages.getDiagnostics(uri).find((d) => d.message.includes('unknown relation "locatd_in"')),
      );
      check(diagnostic.severity === vscode.DiagnosticSeverity.Error, 'the typo is not an error');
      check(
        diagnostic.range.start.line === 0,
        `the typo is on line 1, reported on ${diagnostic.range.start.line + 1}`,
      );
    },
  ],
  [
    'activation and checking start no runtime sidecar',
    async () => {
      const started = descendants(process.pid);
      check(
        started.some((c) => c.includes('lsp.js')),
        `the language server is not a child of the extension host; children: ${started.join(' | ') || 'none'}`,
      );
      const sidecars = started.filter((c) => /\bserve\b/.test(c) || c.includes('sidecar'));
      check(sidecars.length === 0, `a sidecar runs before any runtime command: ${sidecars.join(' | ')}`);
    },
  ],
];

export async function run(): Promise<void> {
  let failed = 0;
  for (const [name, fn] of tests) {
    try {
      await fn();
      console.log(`exthost: pass ${name}`);
    } catch (error) {
      failed += 1;
      console.log(`exthost: FAIL ${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (failed > 0) throw new Error(`${failed} extension-host test(s) failed`);
}
