// The one import of jsonc-parser (scanner, visitor, cursor location): its package "main" is a UMD build
// whose inner requires esbuild cannot follow, so the ESM build is imported by path. Re-exports only.
export { getLocation, type Node, printParseErrorCode, visit } from 'jsonc-parser/lib/esm/main.js';
