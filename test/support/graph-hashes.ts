// Test helper: SHA-256 of the ONNX bytes the runtime emits for fixture models' forward, scoring, gradient and
// capture graphs, plus one graph that uses every primitive op with its gradient. Loads the runtime from a
// given source root, so the same fixtures can be hashed on an older checkout to prove a refactor emits the
// same bytes: `node --import tsx test/support/graph-hashes.ts [ROOT]` prints them as JSON.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import type { FloatDType, HostTensor } from '../../server/runtime/ir/dtype';
import type { Graph } from '../../server/runtime/ir/graph';
import type { ModelConfig } from '../../server/runtime/models/config';
import type { LanguageModel } from '../../server/runtime/models/language-model';
import type { Runtime } from '../../server/runtime/session/runtime';
import type { LowRankEdit } from '../../server/runtime/tasks/forward';
import { TINY } from './random-model';

type Modules = {
  emit: typeof import('../../server/runtime/onnx/emit');
  registry: typeof import('../../server/runtime/models/registry');
  rope: typeof import('../../server/runtime/models/rope');
  forward: typeof import('../../server/runtime/tasks/forward');
  objectives: typeof import('../../server/runtime/tasks/objectives');
  batch: typeof import('../../server/runtime/tasks/batch');
  graph: typeof import('../../server/runtime/ir/graph');
  grad: typeof import('../../server/runtime/autodiff/grad');
  ops: typeof import('../../server/runtime/ir/ops');
};
/** One fixture: what the graph computes, and the call that builds and compiles it. */
type Fixture = readonly [label: string, call: (model: LanguageModel) => Promise<unknown>];

/** Thrown by the recording runtime instead of running a graph; the fixtures stop there. */
class Recorded extends Error {}

const ROOT = resolve(__dirname, '../..');

/** The runtime modules of the checkout at `root`; an older checkout must export the same names. */
async function load(root: string): Promise<Modules> {
  const paths: Record<keyof Modules, string> = {
    emit: 'onnx/emit.ts',
    registry: 'models/registry.ts',
    rope: 'models/rope.ts',
    forward: 'tasks/forward.ts',
    objectives: 'tasks/objectives.ts',
    batch: 'tasks/batch.ts',
    graph: 'ir/graph.ts',
    grad: 'autodiff/grad.ts',
    ops: 'ir/ops.ts',
  };
  const entries = await Promise.all(
    Object.entries(paths).map(async ([key, path]) => [
      key,
      await import(pathToFileURL(join(root, 'server/runtime', path)).href),
    ]),
  );
  return Object.fromEntries(entries) as Modules;
}

/**
 * Hashes of every fixture graph, keyed "<model>/<dtype>/<label>", emitted by the runtime under `root`
 * (default: this checkout). Graphs carry no weight values (weights are inputs), so hashes depend on the
 * model config and the code only.
 */
export async function fixtureGraphHashes(root = ROOT): Promise<Record<string, string>> {
  const {
    emit,
    registry,
    rope,
    forward,
    objectives,
    batch: batchMod,
    graph: graphMod,
    grad,
    ops,
  } = await load(root);
  const hashes: Record<string, string> = {};
  let current = '';
  const runtime = {
    provider: 'cpu',
    threads: 1,
    compile: async (graph: Graph, options?: Parameters<Modules['emit']['emitModel']>[1]) => {
      hashes[current] = emit.emitModel(graph, options).hash;
      return {
        run: async () => {
          throw new Recorded();
        },
      };
    },
  } as unknown as Runtime;
  const configs: ReadonlyArray<readonly [string, ModelConfig]> = [
    ['qwen2', TINY],
    [
      'tiny-world',
      registry.normalizeConfig(
        JSON.parse(readFileSync(join(ROOT, 'assets/models/tiny-world/config.json'), 'utf8')),
        'graph-hashes tiny-world',
      ),
    ],
  ];
  const batch = batchMod.padLeft([[1, 5, 9, 3]], 0);
  for (const [family, config] of configs) {
    const params = registry.parameterNames(config);
    const linears = params
      .filter((p) => p.name.startsWith('model.layers.0.') && p.name.endsWith('proj.weight'))
      .map((p) => p.name.slice(0, -'.weight'.length))
      .sort();
    for (const dtype of ['float32', 'float64'] as const) {
      const weights = new Map(
        params.map((p) => [p.name, { dtype, shape: p.shape, data: new Float64Array(0) }]),
      );
      const model = {
        source: 'graph-hashes',
        config,
        dtype,
        weights,
        tokens: { bos: 1, eos: [2], pad: 0 },
        invFreq: rope.ropeInverseFrequencies(config),
        runtime,
      } as unknown as LanguageModel;
      // Only the names of an edit shape its graph; the factors are never read by the recording runtime.
      const factor = { dtype, shape: [1, 1], data: new Float64Array(1) } as unknown as HostTensor<FloatDType>;
      const edit: LowRankEdit = new Map(linears.slice(0, 2).map((n) => [n, { u: factor, d: factor }]));
      const targets = batchMod.nextTokenTargets(dtype as FloatDType, batch);
      const fixtures: Fixture[] = [
        ['forward', (m) => forward.runForward(m, batch)],
        ['forward-last-cache', (m) => forward.runForward(m, batch, { lastOnly: true, cache: true })],
        ['forward-edit', (m) => forward.runForward(m, batch, { edit })],
        [
          'forward-last-cache-edit',
          (m) => forward.runForward(m, batch, { lastOnly: true, cache: true, edit }),
        ],
        ['score', (m) => objectives.scoreTokens(m, batch, targets)],
        ['score-edit', (m) => objectives.scoreTokens(m, batch, targets, edit)],
        ['grad-all', (m) => objectives.lossGradients(m, batch, targets, [...weights.keys()])],
        [
          'grad-linears',
          (m) =>
            objectives.lossGradients(
              m,
              batch,
              targets,
              linears.map((n) => `${n}.weight`),
            ),
        ],
        ['capture', (m) => objectives.capture(m, batch, targets, linears)],
      ];
      for (const [label, call] of fixtures) {
        current = `${family}/${dtype}/${label}`;
        try {
          await call(model);
          throw new Error(`${current}: the fixture ran without compiling a graph`);
        } catch (e) {
          if (!(e instanceof Recorded)) throw e;
        }
        if (!hashes[current]) throw new Error(`${current}: no graph was emitted`);
      }
    }
  }
  const everyOp = everyOpGraph(graphMod, grad);
  const used = new Set<string>(everyOp.nodes.map((n) => n.op));
  const unused = Object.keys(ops.ARITY).filter((op) => !used.has(op));
  if (unused.length) throw new Error(`the every-op fixture misses ${unused.join(', ')}`);
  hashes['every-op/float64'] = emit.emitModel(everyOp).hash;
  return hashes;
}

/** A float64 graph that applies every primitive op once, with the loss's gradient for both parameters. */
function everyOpGraph(graphMod: Modules['graph'], gradMod: Modules['grad']): Graph {
  const g = new graphMod.Graph('every_op');
  const x = g.param('x', 'float64', ['B', 4]);
  const w = g.param('w', 'float64', [4, 4]);
  const ids = g.input('ids', 'int64', ['B', 3]);
  const table = w.gather(ids.slice(1, 0, 2)); // Gather, Slice
  const a = x.reshape(['B', 2, 2]).reshape(['B', 4]).gemm(w, { transB: true, alpha: 0.5 }).matmul(w);
  const pos = a.exp().add(1).log().sqrt().reciprocal().neg().sigmoid().relu().tanh(); // unary chain
  const b = pos.sub(x).mul(x).div(x.mul(x).add(1)).pow(g.scalar(2, 'float64'));
  const c = g.where(b.greater(0.1), b, b.stopGradient()).add(b.equal(0).cast('float64'));
  const d = c
    .transpose([1, 0])
    .transpose([1, 0])
    .unsqueeze(0)
    .squeeze(0)
    .add(c.sum(1, true).expand(['B', 4]));
  const e = g.concat([d, g.fill(['B', 2], 0.5, 'float64')], 1).slice(1, 0, 4);
  const picked = e
    .softmax(-1)
    .logSoftmax(-1)
    .gatherElements(ids.slice(1, 0, 1), 1);
  const loss = picked
    .sum()
    .add(e.mean([0, 1]))
    .add(e.max(-1).sum())
    .add(table.sum())
    .add(g.dimSize('B').cast('float64'))
    .add(g.constant([1, 2], 'float64', [2]).sum());
  g.output('loss', loss);
  gradMod.grad(loss, [x, w]).forEach((t, i) => {
    g.output(`grad.${i}`, t);
  });
  return g;
}

if (require.main === module) {
  fixtureGraphHashes(process.argv[2] ? resolve(process.argv[2]) : ROOT).then((hashes) => {
    process.stdout.write(`${JSON.stringify(hashes, null, 2)}\n`);
  });
}
