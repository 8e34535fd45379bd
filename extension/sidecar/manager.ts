// The one owner of the runtime sidecar process on the extension side, without `vscode` (unit-tested in plain
// Node): starts `node dist/sidecar.js` lazily on the first request (the extension host's own executable with
// ELECTRON_RUN_AS_NODE), checks the protocol version, forwards progress and cancellation, tracks busy/idle and
// the loaded model, and after a crash restarts on the next request with exponential backoff, reloading the
// model it had and telling the user once, at the first crash. Never starts while disabled (untrusted workspace).
import { type ChildProcess, spawn } from 'node:child_process';
import {
  CancellationTokenSource,
  createMessageConnection,
  type MessageConnection,
  type NotificationType,
  type RequestType,
  ResponseError,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-jsonrpc/node';
import { withMemoryTuning } from '../../server/common/memory-env';
import {
  ApplyEditRequest,
  type LoadModelParams,
  LoadModelRequest,
  type ModelInfo,
  PROTOCOL_VERSION,
  ProgressNotification,
  type RuntimeErrorData,
  StatusRequest,
} from '../../server/protocol';
import { Backoff, type BackoffOptions, DEFAULT_BACKOFF } from './backoff';

/** How to start the sidecar process. */
export interface SidecarLaunch {
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

/** The launch for a bundled sidecar: this process's executable run as plain Node, with the malloc tuning for large buffers. */
export function nodeLaunch(sidecarScript: string, cwd?: string): SidecarLaunch {
  return {
    command: process.execPath,
    args: [sidecarScript],
    env: { ...withMemoryTuning(process.env), ELECTRON_RUN_AS_NODE: '1' },
    ...(cwd ? { cwd } : {}),
  };
}

export type SidecarPhase = 'disabled' | 'stopped' | 'starting' | 'idle' | 'busy' | 'crashed';

/** What the status bar shows. */
export interface SidecarState {
  readonly phase: SidecarPhase;
  readonly model: ModelInfo | null;
  /** The method running now, when busy. */
  readonly running: string | null;
}

export interface ManagerEvents {
  /** One stderr line of the sidecar (its log). */
  readonly log?: (line: string) => void;
  readonly stateChanged?: (state: SidecarState) => void;
  /** A message for the user; called for the first crash only (later ones go to the log and the status bar). */
  readonly notify?: (message: string) => void;
}

/** Why a request failed: the protocol's code and data, or the manager's own reasons (negative codes below). */
export class SidecarRequestError extends Error {
  override name = 'SidecarRequestError';
  constructor(
    readonly code: number,
    message: string,
    readonly data: RuntimeErrorData = {},
  ) {
    super(message);
  }
}

/** Manager-side failure codes (outside the protocol's ranges). */
export const ManagerErrorCode = {
  /** The runtime is disabled (untrusted workspace). */
  Disabled: -1,
  /** The sidecar exited while the request ran; it restarts on the next request. */
  Crashed: -2,
  /** The sidecar could not be started or speaks another protocol version. */
  StartFailed: -3,
} as const;

export interface RequestOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (update: { fraction: number; message: string }) => void;
}

interface Running {
  readonly child: ChildProcess;
  readonly connection: MessageConnection;
  readonly exited: Promise<void>;
}

export class SidecarManager {
  private running: Running | undefined;
  private starting: Promise<Running> | undefined;
  private enabled = true;
  private stopping = false;
  private told = false;
  private model: ModelInfo | null = null;
  /** The last successful load, replayed after a crash so the user keeps the model they chose. */
  private lastLoad: LoadModelParams | undefined;
  private readonly backoff: Backoff;
  private readonly inFlight = new Map<number, string>();
  private readonly progress = new Map<string, (u: { fraction: number; message: string }) => void>();
  private nextToken = 1;
  /** Subscribers of sidecar → extension notifications other than progress (e.g. trainingProgress). */
  private readonly listeners = new Map<string, Set<(params: unknown) => void>>();
  private crashedOnce = false;
  private edits = 0;

  constructor(
    private readonly launch: () => SidecarLaunch,
    private readonly events: ManagerEvents = {},
    backoff: BackoffOptions = DEFAULT_BACKOFF,
  ) {
    this.backoff = new Backoff(backoff);
  }

  get state(): SidecarState {
    let phase: SidecarPhase;
    if (!this.enabled) phase = 'disabled';
    else if (this.starting) phase = 'starting';
    else if (!this.running) phase = this.crashedOnce ? 'crashed' : 'stopped';
    else phase = this.inFlight.size > 0 ? 'busy' : 'idle';
    const running = [...this.inFlight.values()][0] ?? null;
    return { phase, model: this.model, running };
  }

  /** The sidecar's process id while it runs (tests kill it). */
  get pid(): number | undefined {
    return this.running?.child.pid;
  }

  /** Workspace trust: disabling stops a running sidecar and refuses requests until enabled again. */
  async setEnabled(enabled: boolean): Promise<void> {
    this.enabled = enabled;
    if (!enabled) await this.stop();
    this.changed();
  }

  /** Sends one request, starting the sidecar first when needed. Rejects with SidecarRequestError. */
  async request<P, R>(
    type: RequestType<P, R, RuntimeErrorData>,
    params: P,
    options: RequestOptions = {},
  ): Promise<R> {
    if (!this.enabled)
      throw new SidecarRequestError(
        ManagerErrorCode.Disabled,
        'the PropMEND runtime does not run in an untrusted workspace; trust the workspace to load models and apply edits',
      );
    options.signal?.throwIfAborted();
    const { connection } = await this.ensureStarted();
    const id = this.nextToken++;
    let sent = params;
    let token: string | undefined;
    if (options.onProgress) {
      token = `p${id}`;
      this.progress.set(token, options.onProgress);
      sent = { ...params, progressToken: token };
    }
    const source = new CancellationTokenSource();
    const abort = () => source.cancel();
    options.signal?.addEventListener('abort', abort);
    this.inFlight.set(id, type.method);
    this.changed();
    try {
      const result = await connection.sendRequest(type.method, sent, source.token);
      this.backoff.healthy();
      if (type.method === LoadModelRequest.method) {
        this.model = result as ModelInfo;
        this.lastLoad = params as LoadModelParams;
      }
      this.trackEdits(result);
      // An edit from a spec loads the spec's model when none is loaded: ask which, so the status bar names it.
      if (type.method === ApplyEditRequest.method && this.model === null) await this.refreshModel(connection);
      return result as R;
    } catch (error) {
      if (!this.running || this.running.connection !== connection)
        throw new SidecarRequestError(
          ManagerErrorCode.Crashed,
          `the PropMEND runtime stopped while running ${type.method}; it restarts on the next request (details in the "PropMEND Runtime" output)`,
        );
      if (error instanceof ResponseError)
        throw new SidecarRequestError(error.code, error.message, (error.data ?? {}) as RuntimeErrorData);
      throw error;
    } finally {
      options.signal?.removeEventListener('abort', abort);
      source.dispose();
      if (token) this.progress.delete(token);
      this.inFlight.delete(id);
      this.changed();
    }
  }

  /** Calls `handler` with every `type` notification of this and later sidecar processes until disposed. */
  onNotification<P>(type: NotificationType<P>, handler: (params: P) => void): { dispose(): void } {
    const set = this.listeners.get(type.method) ?? new Set();
    this.listeners.set(type.method, set);
    const h = handler as (params: unknown) => void;
    set.add(h);
    return { dispose: () => set.delete(h) };
  }

  /** Reads the loaded model from the sidecar's status; a failure leaves the state as it was. */
  private async refreshModel(connection: MessageConnection): Promise<void> {
    try {
      const status = await connection.sendRequest(StatusRequest, {});
      this.model = status.model;
    } catch {
      // The edit itself succeeded; the status bar keeps its previous text.
    }
  }

  /** Stops the sidecar (stdin closed, then killed if it lingers); the next request starts a fresh one. */
  async stop(): Promise<void> {
    const run = this.running ?? (await this.starting?.catch(() => undefined));
    if (!run) return;
    this.stopping = true;
    try {
      run.connection.dispose();
      run.child.stdin?.end();
      const timer = setTimeout(() => run.child.kill('SIGKILL'), 2000);
      await run.exited;
      clearTimeout(timer);
    } finally {
      this.stopping = false;
    }
  }

  /** Edits on the sidecar's stack, from any result that says (applyEdit's position, a patch list). */
  private trackEdits(result: unknown): void {
    const r = result as { patch?: { position?: unknown }; patches?: unknown };
    if (typeof r?.patch?.position === 'number') this.edits = r.patch.position;
    else if (Array.isArray(r?.patches)) this.edits = r.patches.length;
  }

  private changed(): void {
    this.events.stateChanged?.(this.state);
  }

  private ensureStarted(): Promise<Running> {
    if (this.running) return Promise.resolve(this.running);
    this.starting ??= this.start().finally(() => {
      this.starting = undefined;
      this.changed();
    });
    this.changed();
    return this.starting;
  }

  private async start(): Promise<Running> {
    const wait = this.backoff.waitMs(Date.now());
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const launch = this.launch();
    const child = spawn(launch.command, [...launch.args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(launch.env ? { env: launch.env } : {}),
      ...(launch.cwd ? { cwd: launch.cwd } : {}),
    });
    let stderrTail = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      const lines = (stderrTail + chunk).split('\n');
      stderrTail = lines.pop() ?? '';
      for (const line of lines) this.events.log?.(line);
    });
    const connection = createMessageConnection(
      new StreamMessageReader(child.stdout as NodeJS.ReadableStream),
      new StreamMessageWriter(child.stdin as NodeJS.WritableStream),
    );
    connection.onNotification(
      ProgressNotification.method,
      (p: { token: string; fraction: number; message: string }) =>
        this.progress.get(String(p.token))?.({ fraction: p.fraction, message: p.message }),
    );
    connection.onNotification((method: string, params: unknown) => {
      for (const h of this.listeners.get(method) ?? []) h(params);
    });
    // A broken pipe after the process died is reported by the exit handler, not as an unhandled error.
    connection.onError(() => undefined);
    child.stdin?.on('error', () => undefined);
    const exited = new Promise<void>((done) => {
      child.on('error', (error) => {
        this.events.log?.(`cannot start the runtime (${launch.command}): ${error.message}`);
        done();
      });
      child.on('exit', (code, signal) => {
        if (stderrTail) this.events.log?.(stderrTail);
        this.onExit(run, code, signal);
        done();
      });
    });
    const run: Running = { child, connection, exited };
    connection.listen();
    this.running = run;
    try {
      const status = await Promise.race([
        connection.sendRequest(StatusRequest, {}),
        exited.then(() => {
          throw new Error('the runtime exited during start-up');
        }),
      ]);
      if (status.protocol_version !== PROTOCOL_VERSION)
        throw new Error(
          `the runtime speaks protocol ${status.protocol_version}, this extension ${PROTOCOL_VERSION}; rebuild with \`npm run build\` and reload the window`,
        );
      this.events.log?.(
        `runtime ${status.version} started (pid ${status.pid}, protocol ${status.protocol_version})`,
      );
      if (this.lastLoad) {
        const reload = this.lastLoad;
        try {
          this.model = await connection.sendRequest(LoadModelRequest, reload);
          this.events.log?.(`reloaded ${reload.folder} after the restart`);
        } catch (error) {
          // The runtime is up; only the model is gone (moved, deleted): run without one and say why.
          if (!(error instanceof ResponseError)) throw error;
          this.lastLoad = undefined;
          this.model = null;
          this.events.log?.(`could not reload ${reload.folder} after the restart: ${error.message}`);
        }
      }
      return run;
    } catch (error) {
      this.running = undefined;
      child.kill('SIGKILL');
      const message = error instanceof Error ? error.message : String(error);
      throw new SidecarRequestError(
        ManagerErrorCode.StartFailed,
        `the PropMEND runtime did not start: ${message}`,
      );
    }
  }

  private onExit(run: Running, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.running !== run) return;
    this.running = undefined;
    run.connection.dispose();
    const lost = this.edits;
    this.edits = 0;
    if (this.stopping || !this.enabled) {
      this.changed();
      return;
    }
    this.crashedOnce = true;
    this.backoff.crashed(Date.now());
    const how = signal ? `was killed (${signal})` : `exited with code ${code}`;
    this.events.log?.(
      `the runtime ${how}; it restarts on the next request (in ${this.backoff.delayMs()} ms or later)`,
    );
    if (!this.told) {
      this.told = true;
      this.events.notify?.(
        `The PropMEND runtime ${how}. Your files are untouched${lost ? `; the ${lost} edit${lost === 1 ? '' : 's'} applied in this session ${lost === 1 ? 'was' : 'were'} lost (apply again)` : ''}${this.lastLoad ? '; the model is reloaded on the next request' : ''}. Details in the "PropMEND Runtime" output.`,
      );
    }
    this.changed();
  }
}
