// The only file that imports onnxruntime-node: creates inference sessions for emitted ONNX bytes on an
// execution provider, converts host tensors in and out, and turns provider failures into actionable errors.
// Knows nothing about graphs or models.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { DType, HostArrays, HostTensor } from '../ir/dtype';

export const EXECUTION_PROVIDERS = ['cpu', 'cuda', 'webgpu'] as const;
export type ExecutionProvider = (typeof EXECUTION_PROVIDERS)[number];

export interface BackendOptions {
  readonly provider: ExecutionProvider;
  /** Intra-op threads (CPU); default: all cores. */
  readonly threads?: number;
  /**
   * 'all' enables onnxruntime's fusions (float32 graphs); 'basic' keeps standard ops only, which float64
   * graphs need because contrib fused kernels (e.g. QuickGelu from x*sigmoid(x)) exist for float32 only.
   */
  readonly optimization?: 'all' | 'basic';
}

export class BackendError extends Error {
  override name = 'BackendError';
}

const HOW_TO_ENABLE: Record<ExecutionProvider, string> = {
  cpu: 'the CPU provider ships with onnxruntime-node; reinstall it with `npm ci`',
  cuda: 'install the CUDA 12 provider on a machine with an NVIDIA GPU: `ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node`',
  webgpu:
    'WebGPU needs a GPU with Vulkan (Linux), D3D12 (Windows) or Metal (macOS) drivers visible to this process',
};

/** Providers this onnxruntime-node build reports, with whether their binaries are present. */
export function providerSupport(): Record<ExecutionProvider, boolean> {
  const listed = new Map(ort.listSupportedBackends().map((b) => [b.name, b.bundled]));
  return {
    cpu: listed.has('cpu'),
    cuda: listed.has('cuda') && hasCudaBinary(),
    webgpu: listed.has('webgpu'),
  };
}

/** The CUDA provider is a separate shared library that `npm rebuild` with ONNXRUNTIME_NODE_INSTALL adds. */
function hasCudaBinary(): boolean {
  try {
    const bin = join(
      dirname(require.resolve('onnxruntime-node/package.json')),
      'bin',
      'napi-v6',
      process.platform,
      process.arch,
    );
    return existsSync(bin) && readdirSync(bin).some((f) => f.includes('providers_cuda'));
  } catch {
    return false;
  }
}

export function onnxruntimeVersion(): string {
  return ort.env.versions.common ?? 'unknown';
}

function toOrt(name: string, t: HostTensor): ort.Tensor {
  try {
    return new ort.Tensor(t.dtype as never, t.data as never, t.shape as number[]);
  } catch (error) {
    throw new BackendError(
      `cannot pass input "${name}" (${t.dtype}[${t.shape.join(', ')}]): ${(error as Error).message}`,
    );
  }
}

function fromOrt(name: string, t: ort.Tensor): HostTensor {
  const dtype = t.type as DType;
  const dims = t.dims.map(Number);
  switch (dtype) {
    case 'float32':
    case 'float64':
    case 'int64':
      return { dtype, shape: dims, data: t.data as HostArrays[typeof dtype] };
    case 'bool':
      return { dtype, shape: dims, data: Uint8Array.from(t.data as ArrayLike<number>, (v) => (v ? 1 : 0)) };
    default:
      throw new BackendError(`output "${name}" has unsupported type ${t.type}`);
  }
}

/** One compiled model on one provider. Release it when done; it holds native memory. */
export class OrtSession {
  private released = false;

  private constructor(
    private readonly session: ort.InferenceSession,
    readonly provider: ExecutionProvider,
  ) {}

  static async create(bytes: Uint8Array, options: BackendOptions): Promise<OrtSession> {
    const providers: ort.InferenceSession.ExecutionProviderConfig[] =
      options.provider === 'cpu' ? ['cpu'] : [options.provider];
    const sessionOptions: ort.InferenceSession.SessionOptions = {
      executionProviders: providers,
      graphOptimizationLevel: options.optimization ?? 'all',
      executionMode: 'sequential',
      interOpNumThreads: 1,
      logSeverityLevel: 3,
      ...(options.threads ? { intraOpNumThreads: options.threads } : {}),
      ...(process.env.PROPMEND_ORT_PROFILE
        ? { enableProfiling: true, profileFilePrefix: process.env.PROPMEND_ORT_PROFILE }
        : {}),
    };
    try {
      return new OrtSession(await ort.InferenceSession.create(bytes, sessionOptions), options.provider);
    } catch (error) {
      const message = (error as Error).message;
      if (options.provider !== 'cpu') {
        throw new BackendError(
          `the ${options.provider} execution provider could not start (${message.split('\n')[0]}); ${HOW_TO_ENABLE[options.provider]}, or use --provider cpu`,
        );
      }
      throw new BackendError(`onnxruntime rejected the model: ${message}`);
    }
  }

  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  /**
   * Runs the session. `into` names outputs to write into the caller's tensors (exactly the output's dtype and
   * shape) instead of fresh memory: onnxruntime fills them in place and they are returned as those outputs.
   */
  async run(
    feeds: Readonly<Record<string, HostTensor>>,
    outputs?: readonly string[],
    into?: Readonly<Record<string, HostTensor>>,
  ): Promise<Record<string, HostTensor>> {
    if (this.released) throw new BackendError('session was released');
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = toOrt(name, t);
    let results: ort.InferenceSession.ReturnType;
    try {
      if (into && Object.keys(into).length > 0) {
        const fetches: Record<string, ort.Tensor | null> = {};
        for (const name of outputs ?? this.session.outputNames) {
          const target = into[name];
          fetches[name] = target ? toOrt(name, target) : null;
        }
        results = await this.session.run(ortFeeds, fetches);
      } else {
        results = outputs
          ? await this.session.run(ortFeeds, outputs as string[])
          : await this.session.run(ortFeeds);
      }
    } catch (error) {
      throw new BackendError(`onnxruntime failed while running: ${(error as Error).message}`);
    }
    const out: Record<string, HostTensor> = {};
    for (const [name, t] of Object.entries(results)) out[name] = into?.[name] ?? fromOrt(name, t);
    return out;
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.session.release();
  }
}
