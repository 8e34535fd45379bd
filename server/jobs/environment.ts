// The run environment recorded next to every number we write (training.json, eval.json): package, Node and
// onnxruntime versions, platform, CPU and thread count, so a result can be reproduced or explained.
import { arch, cpus, platform } from 'node:os';
import packageJson from '../../package.json';
import { onnxruntimeVersion } from '../runtime/backend/ort';

export interface RunEnvironment {
  readonly propmend: string;
  readonly node: string;
  readonly onnxruntime: string;
  readonly platform: string;
  readonly cpu: string;
  readonly threads: number;
}

export function runEnvironment(threads: number): RunEnvironment {
  return {
    propmend: packageJson.version,
    node: process.version,
    onnxruntime: onnxruntimeVersion(),
    platform: `${platform()}-${arch()}`,
    cpu: cpus()[0]?.model ?? 'unknown',
    threads,
  };
}
