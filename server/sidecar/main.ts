// The runtime sidecar: a Node process that speaks the protocol of server/protocol as JSON-RPC over stdio
// (vscode-jsonrpc) and serves it from one SidecarSession, another adapter over server/jobs as the CLI is.
// Requests run one at a time in arrival order (status answers at once); `$/cancelRequest` aborts the running
// job's signal or drops a waiting request. stdout carries only JSON-RPC: logs go to stderr, and console.log
// is redirected there. Started by the extension (dist/sidecar.js) or by `propmend serve --stdio`.
import {
  type CancellationToken,
  createMessageConnection,
  type MessageConnection,
  type RequestType,
  ResponseError,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-jsonrpc/node';
import type { JobContext } from '../jobs/context';
import {
  ApplyEditRequest,
  type Checked,
  checkApplyEditParams,
  checkEvaluateParams,
  checkExportModelParams,
  checkLoadModelParams,
  checkNoParams,
  checkRevertParams,
  checkSavePatchParams,
  EvaluateRequest,
  ExportModelRequest,
  ListPatchesRequest,
  LoadModelRequest,
  PROTOCOL_VERSION,
  ProgressNotification,
  type ProgressToken,
  RevertAllRequest,
  RevertRequest,
  RuntimeErrorCode,
  type RuntimeErrorData,
  SavePatchRequest,
  StatusRequest,
} from '../protocol';
import { TOOL_VERSION } from '../runtime/edit/edit-file-common';
import { mapError } from './errors';
import { evaluate } from './evaluate';
import { exportModel, savePatch } from './outputs';
import { RequestQueue } from './queue';
import { SidecarSession } from './session';
import { serveTraining } from './train-serve';

/** Progress notifications per request are sent at most this often (and always at 100%). */
const PROGRESS_INTERVAL_MS = 100;

export interface SidecarIO {
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream;
  /** One log line (stderr in the real process). */
  readonly log: (line: string) => void;
}

export interface RunningSidecar {
  readonly connection: MessageConnection;
  readonly session: SidecarSession;
  /** Resolves when the client closes the connection and the session is disposed. */
  readonly closed: Promise<void>;
}

/** Serves the protocol on `io` until the input ends. */
export function startSidecar(io: SidecarIO): RunningSidecar {
  const connection = createMessageConnection(
    new StreamMessageReader(io.input),
    new StreamMessageWriter(io.output),
  );
  const session = new SidecarSession();
  const queue = new RequestQueue();

  function serve<P, R>(
    type: RequestType<P, R, RuntimeErrorData>,
    check: (v: unknown) => Checked<P>,
    run: (params: P, ctx: JobContext) => Promise<R> | R,
  ): void {
    const method = type.method;
    connection.onRequest(method, async (raw: unknown, token: CancellationToken) => {
      const checked = check(raw);
      if (!checked.ok)
        throw new ResponseError<RuntimeErrorData>(
          RuntimeErrorCode.InvalidParams,
          `${method}: ${checked.message}`,
          { field: checked.field },
        );
      const controller = new AbortController();
      const cancelled = token.onCancellationRequested(() => controller.abort());
      const progressToken = (checked.value as { progressToken?: ProgressToken }).progressToken;
      let last = 0;
      let best = 0;
      const ctx: JobContext = {
        signal: controller.signal,
        progress: ({ fraction, message }) => {
          if (progressToken === undefined) return;
          best = Math.max(best, Math.min(1, Math.max(0, fraction)));
          const now = Date.now();
          if (now - last < PROGRESS_INTERVAL_MS && best < 1) return;
          last = now;
          void connection.sendNotification(ProgressNotification, {
            token: progressToken,
            method,
            fraction: best,
            message,
          });
        },
        log: (line) => io.log(`${method}: ${line}`),
      };
      try {
        return await queue.run(method, controller.signal, async () => run(checked.value, ctx));
      } catch (error) {
        const mapped = mapError(error, controller.signal.aborted);
        if (mapped.internal) io.log(`${method}: ${(error as Error).stack ?? mapped.message}`);
        else io.log(`${method}: ${mapped.message}`);
        throw new ResponseError<RuntimeErrorData>(mapped.code, mapped.message, mapped.data);
      } finally {
        cancelled.dispose();
      }
    });
  }

  serve(LoadModelRequest, checkLoadModelParams, (p, ctx) => session.loadModel(p, ctx));
  serve(ApplyEditRequest, checkApplyEditParams, (p, ctx) => session.applyEdit(p, ctx));
  serve(RevertRequest, checkRevertParams, (p) => session.revert(p));
  serve(RevertAllRequest, checkNoParams, () => session.revertAll());
  serve(EvaluateRequest, checkEvaluateParams, (p, ctx) => evaluate(session, p, ctx));
  serve(ListPatchesRequest, checkNoParams, () => session.listPatches());
  serve(SavePatchRequest, checkSavePatchParams, (p) => savePatch(session, p));
  serve(ExportModelRequest, checkExportModelParams, (p, ctx) => exportModel(session, p, ctx));
  // Status answers at once, even while a request runs: it is how a client sees what the sidecar is doing.
  connection.onRequest(StatusRequest, (raw: unknown) => {
    const checked = checkNoParams(raw);
    if (!checked.ok)
      throw new ResponseError<RuntimeErrorData>(RuntimeErrorCode.InvalidParams, checked.message, {
        field: checked.field,
      });
    return {
      protocol_version: PROTOCOL_VERSION,
      version: TOOL_VERSION,
      pid: process.pid,
      model: session.loaded?.info ?? null,
      patches: session.patches.length,
      busy: queue.busy,
      queued: queue.queued,
    };
  });

  // Meta-training runs beside the queue (server/sidecar/train-serve.ts); closing pauses it (state saved).
  const training = serveTraining(connection, io.log);
  const closed = new Promise<void>((done) => {
    connection.onClose(() => {
      void training
        .dispose()
        .then(() => session.dispose())
        .finally(done);
    });
  });
  connection.listen();
  io.log(
    `propmend runtime ${TOOL_VERSION} (protocol ${PROTOCOL_VERSION}) serving on stdio, pid ${process.pid}`,
  );
  return { connection, session, closed };
}

/**
 * Serves on this process's stdio until the client closes stdin; logs go to stderr through `log`. Resolves
 * when the session is disposed. Uncaught exceptions end the process (the client restarts it).
 */
export function serveStdio(
  log: (line: string) => void = (line) => process.stderr.write(`[runtime] ${line}\n`),
): Promise<void> {
  // Nothing but JSON-RPC may reach stdout: a stray console.log from any library would corrupt the stream.
  console.log = console.error;
  console.info = console.error;
  console.debug = console.error;
  process.on('uncaughtException', (error) => {
    log(`internal error, exiting: ${error.stack ?? error.message}`);
    process.exit(70);
  });
  return startSidecar({ input: process.stdin, output: process.stdout, log }).closed;
}
