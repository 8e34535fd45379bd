// The table of `propmend` subcommands: one import and one entry per command file in this folder.
// Owns nothing but the names; each command's behaviour lives in its own file.
import type { CliCommand } from '../command';
import { ablateCommand } from './ablate';
import { benchCommand } from './bench';
import { captureCommand } from './capture';
import { checkCommand } from './check';
import { convertCommand } from './convert';
import { demoCommand } from './demo';
import { editCommand } from './edit';
import { evalCommand } from './eval';
import { exportCommand } from './export';
import { generateCommand } from './generate';
import { gradCommand } from './grad';
import { infoCommand } from './info';
import { patchCommand } from './patch';
import { pretrainCommand } from './pretrain';
import { reportCommand } from './report';
import { scoreCommand } from './score';
import { serveCommand } from './serve';
import { trainCommand } from './train';
import { worldCommand } from './world';

export const commands: Record<string, CliCommand> = {
  ablate: ablateCommand,
  bench: benchCommand,
  capture: captureCommand,
  check: checkCommand,
  convert: convertCommand,
  demo: demoCommand,
  edit: editCommand,
  eval: evalCommand,
  export: exportCommand,
  generate: generateCommand,
  grad: gradCommand,
  info: infoCommand,
  patch: patchCommand,
  pretrain: pretrainCommand,
  report: reportCommand,
  score: scoreCommand,
  serve: serveCommand,
  train: trainCommand,
  world: worldCommand,
};
