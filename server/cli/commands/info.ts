// `propmend info`: what a model folder holds (family, shapes, parameter count, tokens) and which execution
// providers this install can use. Reads config.json and safetensors headers only, never the weights.
import { totalmem } from 'node:os';
import { resolve } from 'node:path';
import { maxOf } from '../../common/arrays';
import { EXECUTION_PROVIDERS, onnxruntimeVersion, providerSupport } from '../../runtime/backend/ort';
import { CheckpointError } from '../../runtime/load/format';
import { readModelConfig } from '../../runtime/models/checkpoint';
import { weightFootprint } from '../../runtime/models/memory';
import { type CliCommand, CliError, parseFlags, UsageError } from '../command';

export const infoCommand: CliCommand = {
  summary: 'describe a model folder and the available execution providers',
  usage: `Usage: propmend info MODEL_DIR [--json]

Prints the model family, shapes, parameter count and special tokens from config.json, the memory its
weights need in float32 (and whether this machine has that much), and the execution providers this
onnxruntime-node install supports.`,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, { json: { type: 'boolean' } });
    if (positionals.length !== 1) throw new UsageError('give one model folder');
    let config: ReturnType<typeof readModelConfig>;
    try {
      config = readModelConfig(resolve(positionals[0] as string));
    } catch (error) {
      if (error instanceof CheckpointError) throw new CliError(error.message);
      throw error;
    }
    const weights = weightFootprint(config, 'float32');
    const support = providerSupport();
    const info = {
      family: config.family,
      modelType: config.modelType,
      parameters: weights.parameters,
      float32Bytes: weights.bytes,
      fitsInMemory: weights.bytes <= totalmem(),
      layers: config.numLayers,
      hiddenSize: config.hiddenSize,
      intermediateSize: config.intermediateSize,
      heads: config.numHeads,
      kvHeads: config.numKvHeads,
      headDim: config.headDim,
      vocabSize: config.vocabSize,
      tiedEmbeddings: config.tieWordEmbeddings,
      ropeScaling: config.ropeScaling.type,
      maxPositionEmbeddings: config.maxPositionEmbeddings,
      bosTokenId: config.bosTokenId,
      eosTokenIds: config.eosTokenIds,
      torchDtype: config.torchDtype,
      onnxruntime: onnxruntimeVersion(),
      providers: Object.fromEntries(EXECUTION_PROVIDERS.map((p) => [p, support[p]])),
    };
    if (values.json) {
      io.stdout(`${JSON.stringify(info)}\n`);
      return 0;
    }
    const width = maxOf(Object.keys(info).map((k) => k.length));
    for (const [k, v] of Object.entries(info))
      io.stdout(`${k.padEnd(width)}  ${typeof v === 'object' ? JSON.stringify(v) : String(v)}\n`);
    return 0;
  },
};
