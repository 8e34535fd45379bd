// Entry point of the `propmend` CLI (bin/propmend.js loads the bundle): dispatches to one command per file
// in server/cli/commands/. Owns exit codes and top-level error reporting; commands own their flags.
// Must not import vscode; results go to stdout, logs and progress to stderr.
import { maxOf } from '../common/arrays';
import { OutputError } from '../common/output';
import { JobCancelled, JobInputError } from '../jobs/context';
import { ModelInputError } from '../runtime/models/model-input';
import { type CliCommand, CliError, type CliIO, UsageError } from './command';
import { commands } from './commands';
import { cancellationOnSignals } from './signals';

function printHelp(io: CliIO): void {
  const width = maxOf(Object.keys(commands).map((n) => n.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  io.stdout(
    `Usage: propmend <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun \`propmend <command> --help\` for a command's options.\n`,
  );
}

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    printHelp(io);
    return name ? 0 : 2;
  }
  const command: CliCommand | undefined = commands[name];
  if (!command) {
    io.stderr(`propmend: unknown command "${name}"; valid commands: ${Object.keys(commands).join(', ')}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`${command.usage.trimEnd()}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`propmend ${name}: ${error.message}\n\n${command.usage.trimEnd()}\n`);
      return 2;
    }
    if (error instanceof CliError) {
      io.stderr(`propmend ${name}: ${error.message}\n`);
      return error.code;
    }
    if (error instanceof JobInputError || error instanceof OutputError || error instanceof ModelInputError) {
      io.stderr(`propmend ${name}: ${error.message}\n`);
      return 1;
    }
    if (error instanceof JobCancelled) {
      io.stderr(`propmend ${name}: ${error.message}${error.resumeHint ? `; ${error.resumeHint}` : ''}\n`);
      return 130;
    }
    if (io.signal.aborted) {
      io.stderr(`propmend ${name}: cancelled\n`);
      return 130;
    }
    const detail = process.env.PROPMEND_DEBUG
      ? `\n${(error as Error).stack}`
      : ' (set PROPMEND_DEBUG=1 for a stack trace)';
    io.stderr(`propmend ${name}: internal error: ${(error as Error).message}${detail}\n`);
    return 70;
  }
}

function processIO(): CliIO {
  const stderr = (text: string) => process.stderr.write(text);
  return {
    stdout: (text) => process.stdout.write(text),
    stderr,
    stderrIsTTY: Boolean(process.stderr.isTTY),
    signal: cancellationOnSignals(stderr),
  };
}

/** Runs the CLI on this process's argv and sets the exit code; bin/propmend.js calls this. */
export function main(argv: string[] = process.argv.slice(2)): void {
  runCli(argv, processIO()).then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      process.stderr.write(`propmend: internal error: ${(error as Error).stack}\n`);
      process.exitCode = 70;
    },
  );
}
