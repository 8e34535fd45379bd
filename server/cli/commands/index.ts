// The table of `propmend` subcommands: one import and one entry per command file in this folder.
// Owns nothing but the names; each command's behaviour lives in its own file.
import type { CliCommand } from '../command';

export const commands: Record<string, CliCommand> = {};
