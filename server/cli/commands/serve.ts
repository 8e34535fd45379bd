// `propmend serve --stdio`: runs the runtime sidecar (server/sidecar) on this process's stdin/stdout, the
// JSON-RPC protocol of server/protocol, until the client closes stdin. For editors and scripts other than
// the VS Code extension, which starts the same code from its own bundle (dist/sidecar.js). A thin adapter.
import { serveStdio } from '../../sidecar/main';
import { type CliCommand, parseFlags, UsageError } from '../command';

export const serveCommand: CliCommand = {
  summary: 'run the runtime sidecar: JSON-RPC over stdio (the protocol the VS Code extension speaks)',
  usage: `Usage: propmend serve --stdio

Serves the runtime protocol (propmend/loadModel, applyEdit, revert, revertAll, evaluate, listPatches,
savePatch, exportModel, status; docs/architecture.md) as JSON-RPC with Content-Length framing on stdin and
stdout until stdin closes. One request runs at a time, the others wait in order; $/cancelRequest stops the
running one between graph runs and leaves the model unedited. stdout carries only JSON-RPC; logs go to stderr.

  --stdio            the transport (the only one)`,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, { stdio: { type: 'boolean' } });
    if (positionals.length) throw new UsageError(`serve takes no arguments, got "${positionals[0]}"`);
    if (!values.stdio) throw new UsageError('give --stdio (the only transport)');
    await serveStdio((line) => io.stderr(`[runtime] ${line}\n`));
    return 0;
  },
};
