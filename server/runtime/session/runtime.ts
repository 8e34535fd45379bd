// Compiled graphs and their sessions: emits a graph once, caches the onnxruntime session by model hash and
// provider, validates feeds against the declared inputs (dtype, rank, static and symbolic sizes) before running.
// Owns session lifetime (dispose); knows nothing about models or PropMEND.
import { availableParallelism } from 'node:os';
import { BackendError, type ExecutionProvider, OrtSession, providerSupport } from '../backend/ort';
import { type Dim, evalDim, isStatic } from '../ir/dim';
import type { HostTensor } from '../ir/dtype';
import type { Graph } from '../ir/graph';
import { type EmitOptions, type EmittedModel, emitModel } from '../onnx/emit';

export interface RuntimeOptions {
  readonly provider?: ExecutionProvider;
  readonly threads?: number;
  /** Most sessions kept alive at once (least recently used are released). */
  readonly maxSessions?: number;
}

export class FeedError extends Error {
  override name = 'FeedError';
}

/** Binds every symbolic dimension of the inputs to a value, checking consistency; throws FeedError. */
export function bindDimensions(
  model: EmittedModel,
  feeds: Readonly<Record<string, HostTensor>>,
): Record<string, number> {
  const values: Record<string, number> = {};
  const missing = model.inputs.filter((i) => !(i.name in feeds)).map((i) => i.name);
  if (missing.length) {
    throw new FeedError(
      `missing inputs: ${missing.slice(0, 8).join(', ')}${missing.length > 8 ? ` and ${missing.length - 8} more` : ''}`,
    );
  }
  const deferred: Array<{ name: string; d: Dim; actual: number; axis: number }> = [];
  for (const input of model.inputs) {
    const t = feeds[input.name] as HostTensor;
    if (t.dtype !== input.dtype)
      throw new FeedError(`input "${input.name}" must be ${input.dtype}, got ${t.dtype}`);
    if (t.shape.length !== input.shape.length) {
      throw new FeedError(
        `input "${input.name}" must have rank ${input.shape.length} [${input.shape.join(', ')}], got [${t.shape.join(', ')}]`,
      );
    }
    input.shape.forEach((d, axis) => {
      const actual = t.shape[axis] as number;
      if (isStatic(d)) {
        if (d !== actual)
          throw new FeedError(`input "${input.name}" axis ${axis} must be ${d}, got ${actual}`);
      } else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(d)) {
        const bound = values[d];
        if (bound === undefined) values[d] = actual;
        else if (bound !== actual) {
          throw new FeedError(
            `input "${input.name}" axis ${axis} is ${actual} but "${d}" is ${bound} from another input`,
          );
        }
      } else deferred.push({ name: input.name, d, actual, axis });
    });
  }
  for (const { name, d, actual, axis } of deferred) {
    let expected: number;
    try {
      expected = evalDim(d, values);
    } catch {
      continue;
    }
    if (expected !== actual)
      throw new FeedError(`input "${name}" axis ${axis} must be ${d} = ${expected}, got ${actual}`);
  }
  return values;
}

/** Checks that each tensor in `into` names an output and has its dtype and (bound) shape; throws FeedError. */
function checkTargets(
  model: EmittedModel,
  values: Readonly<Record<string, number>>,
  into: Readonly<Record<string, HostTensor>>,
): void {
  for (const [name, t] of Object.entries(into)) {
    const output = model.outputs.find((o) => o.name === name);
    if (!output) throw new FeedError(`"${name}" is not an output of this graph`);
    if (t.dtype !== output.dtype)
      throw new FeedError(`output "${name}" is ${output.dtype}, its buffer ${t.dtype}`);
    let shape: number[];
    try {
      shape = output.shape.map((d) => (isStatic(d) ? d : evalDim(d, values)));
    } catch {
      continue; // a size the inputs do not determine: onnxruntime checks it when it writes
    }
    if (shape.length !== t.shape.length || shape.some((d, i) => d !== t.shape[i])) {
      throw new FeedError(`output "${name}" is [${shape.join(', ')}], its buffer [${t.shape.join(', ')}]`);
    }
    if (t.data.length !== shape.reduce((a, b) => a * b, 1))
      throw new FeedError(`output "${name}" buffer holds ${t.data.length} values, not ${shape.join('×')}`);
  }
}

/** An emitted model; run it with named host tensors. Its session comes from the runtime's cache on each run. */
export class CompiledGraph {
  constructor(
    readonly model: EmittedModel,
    private readonly runtime: Runtime,
  ) {}

  get provider(): ExecutionProvider {
    return this.runtime.provider;
  }

  /**
   * Runs the model; extra feeds are ignored, missing or mis-shaped ones raise FeedError. Outputs named in
   * `into` are written into those tensors and returned as them (onnxruntime-node also hands back a copy of
   * each output, which is dropped; the malloc tuning of server/common/memory-env.ts keeps that copy cheap).
   */
  async run(
    feeds: Readonly<Record<string, HostTensor>>,
    outputs?: readonly string[],
    into?: Readonly<Record<string, HostTensor>>,
  ): Promise<Record<string, HostTensor>> {
    const values = bindDimensions(this.model, feeds);
    if (into) checkTargets(this.model, values, into);
    const wanted: Record<string, HostTensor> = {};
    for (const input of this.model.inputs) wanted[input.name] = feeds[input.name] as HostTensor;
    const session = await this.runtime.session(this.model);
    return session.run(wanted, outputs, into);
  }
}

/** Owns the compile cache. One per process is typical; dispose() releases every session. */
export class Runtime {
  readonly provider: ExecutionProvider;
  readonly threads: number;
  private readonly maxSessions: number;
  /** Sessions by model hash, least recently used first. */
  private readonly sessions = new Map<string, Promise<OrtSession>>();

  constructor(options: RuntimeOptions = {}) {
    this.provider = options.provider ?? 'cpu';
    this.threads = options.threads ?? availableParallelism();
    this.maxSessions = options.maxSessions ?? 32;
    if (this.provider === 'cuda' && !providerSupport().cuda) {
      throw new BackendError(
        'the cuda execution provider is not installed; on a machine with an NVIDIA GPU run `ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node`, or use --provider cpu',
      );
    }
  }

  /** Emits and compiles `graph`, reusing the session compiled for identical model bytes. */
  async compile(graph: Graph, options: EmitOptions = {}): Promise<CompiledGraph> {
    const model = emitModel(graph, options);
    await this.session(model);
    return new CompiledGraph(model, this);
  }

  /** The session for an emitted model, compiled on first use and kept in an LRU cache. */
  async session(model: EmittedModel): Promise<OrtSession> {
    let entry = this.sessions.get(model.hash);
    if (entry) {
      this.sessions.delete(model.hash);
    } else {
      entry = OrtSession.create(model.bytes, {
        provider: this.provider,
        threads: this.threads,
        optimization: model.usesFloat64 ? 'basic' : 'all',
      });
      entry.catch(() => this.sessions.delete(model.hash));
    }
    this.sessions.set(model.hash, entry);
    await this.evict();
    return entry;
  }

  get cachedSessions(): number {
    return this.sessions.size;
  }

  private async evict(): Promise<void> {
    while (this.sessions.size > this.maxSessions) {
      const [oldest, entry] = this.sessions.entries().next().value as [string, Promise<OrtSession>];
      this.sessions.delete(oldest);
      await release(entry);
    }
  }

  async dispose(): Promise<void> {
    const entries = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(entries.map(release));
  }
}

async function release(entry: Promise<OrtSession>): Promise<void> {
  try {
    await (await entry).release();
  } catch {
    // A session that failed to compile holds nothing.
  }
}
