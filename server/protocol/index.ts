// The runtime sidecar protocol, the one module both the extension (extension/sidecar/) and the sidecar
// (server/sidecar/) import: message constants, plain-data types, error codes and parameter validators.
// Imports neither side nor the runtime (test/tidy.test.ts); only vscode-jsonrpc's message types.
export * from './errors';
export * from './methods';
export * from './train-methods';
export * from './train-types';
export * from './train-validate';
export * from './types';
export * from './validate';
