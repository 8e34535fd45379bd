// `propmend bench`: the benchmark suite (ours side by side with the PyTorch peer). The suite lives in bench/
// of a repository checkout and runs under tsx, outside the product bundle; this command only finds it, runs
// it with the given flags and relays its output, exit code and cancellation. It measures nothing itself.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../common/paths';
import { type CliCommand, CliError } from '../command';

export const benchCommand: CliCommand = {
  summary: 'run the benchmark suite against the PyTorch peer (repository checkout only)',
  usage: `Usage: propmend bench [--json] [--only NAME[,NAME]] [--reps N] [--warmup N] [--threads N] [--out DIR] [--list]

Runs each case (edit-tiny, edit-1b, metatrain-tiny, metatrain-1b, forward-backward, lsp-check) on our
runtime and on the PyTorch peer (bench/peer/peer.py under /usr/bin/python3), each side in its own process,
and prints median seconds, the ours/peer ratio, both peak RSS and whether both computed the same numbers.
--json prints {"cases": [{"name", "ours_s", "peer_s", "ratio", "ours_peak_rss_bytes", "peer_peak_rss_bytes", ...}]}.
The full report (machine, versions, every run) goes to bench-results/. Same as \`npm run bench -- FLAGS\`.
PROPMEND_BENCH_LOCK=FILE runs the sides that load the 1B-shaped checkpoint under \`flock FILE\`.`,
  async run(argv, io) {
    const root = packageRoot();
    const suite = join(root, 'bench', 'run.ts');
    if (!existsSync(suite) || !existsSync(join(root, 'node_modules', 'tsx')))
      throw new CliError(
        `propmend bench needs a repository checkout with its dev dependencies (${suite} and tsx); run it from a clone after \`npm ci\``,
      );
    return new Promise<number>((done, fail) => {
      const child = spawn(process.execPath, ['--import', 'tsx', suite, ...argv], {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.setEncoding('utf8').on('data', (d: string) => io.stdout(d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => io.stderr(d));
      const stop = () => child.kill('SIGTERM');
      io.signal.addEventListener('abort', stop, { once: true });
      child.on('error', fail);
      child.on('close', (code, signal) => {
        io.signal.removeEventListener('abort', stop);
        done(code ?? (signal ? 130 : 1));
      });
    });
  },
};
