// `propmend demo` (npm run demo): for now, checks examples/ and, when present, assets/world/ and prints a
// per-file summary. The lead replaces this with the runtime demo later; it owns nothing else.
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { checkPaths } from '../../lsp/check/check-paths';
import type { CliCommand } from '../command';
import { countSeverities, formatDiagnostic, summaryLine } from './check';

/** The repository root: bin/propmend.js runs dist/cli.js, so two levels up from this bundle. */
function repoRoot(): string {
  for (const candidate of [resolve(__dirname, '..'), resolve(__dirname, '../../..'), process.cwd()]) {
    if (existsSync(join(candidate, 'examples'))) return candidate;
  }
  return process.cwd();
}

export const demoCommand: CliCommand = {
  summary: 'check the example datasets (and assets/world/ when present) and print a summary',
  usage: `Usage: propmend demo

Runs the dataset checker over examples/ (and assets/world/ when it exists) and prints, per file, its
kind and the number of errors and warnings, then any diagnostics. Exit 1 when any error was found.`,
  async run(_argv, io) {
    const root = repoRoot();
    const targets = ['examples', 'assets/world'].map((d) => join(root, d)).filter((d) => existsSync(d));
    const reports = await checkPaths(targets);
    for (const r of reports) {
      const c = countSeverities([r]);
      io.stdout(
        `${relative(root, r.path).padEnd(48)} ${r.kind.padEnd(11)} ${c.error} errors, ${c.warning} warnings\n`,
      );
    }
    for (const r of reports) {
      for (const d of r.diagnostics) {
        if (d.severity === 'error' || d.severity === 'warning')
          io.stdout(`${formatDiagnostic(relative(root, r.path), d)}\n`);
      }
    }
    io.stdout(`${summaryLine(reports)}\n`);
    return countSeverities(reports).error > 0 ? 1 : 0;
  },
};
