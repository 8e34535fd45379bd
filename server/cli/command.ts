// The contract every `propmend` subcommand implements, and the errors the CLI turns into exit codes.
// Owns argument-parsing helpers shared by commands; must not import vscode or the language-server transport.
import { type ParseArgsConfig, parseArgs } from 'node:util';

/** Where a command writes: results to stdout, logs and progress to stderr. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** True when stderr is a terminal (progress bars redraw in place). */
  readonly stderrIsTTY: boolean;
  /** Aborted on SIGINT/SIGTERM; long commands check it and stop cleanly. */
  readonly signal: AbortSignal;
}

export interface CliCommand {
  /** One line for `propmend --help`. */
  readonly summary: string;
  /** Full usage text for `propmend <command> --help`. */
  readonly usage: string;
  /** Returns the process exit code. Throws UsageError or CliError for user mistakes. */
  run(argv: string[], io: CliIO): Promise<number>;
}

/** Wrong flags or arguments: the CLI prints the message and the command's usage, exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A user-facing failure (missing file, bad model folder): the CLI prints the message, exit `code`. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly code = 1,
  ) {
    super(message);
  }
}

/** node:util parseArgs with strict checking, turning its errors into UsageError. */
export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: T,
  allowPositionals = true,
) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Parses a flag value as a number within bounds, naming the flag on failure. */
export function numberFlag(
  name: string,
  value: string | undefined,
  fallback: number,
  opts: { min?: number; max?: number; integer?: boolean } = {},
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || (opts.integer && !Number.isInteger(n))) {
    throw new UsageError(`--${name} expects ${opts.integer ? 'an integer' : 'a number'}, got "${value}"`);
  }
  if (opts.min !== undefined && n < opts.min)
    throw new UsageError(`--${name} must be >= ${opts.min}, got ${n}`);
  if (opts.max !== undefined && n > opts.max)
    throw new UsageError(`--${name} must be <= ${opts.max}, got ${n}`);
  return n;
}
