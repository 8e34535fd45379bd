// Public surface of the checking engine for the CLI, the language server and other processes' tests.
// Everything here is plain data and functions; nothing imports LSP or vscode.

export { detectKind, kindFromName, parseKind } from '../../dataset/kind';
export { type CheckPathsOptions, checkPaths, type Refused, walkCheckable } from './check-paths';
export { CheckSession, type SessionOptions } from './session';
export { diskSource, type FileSource, memorySource } from './source';
export * from './types';
