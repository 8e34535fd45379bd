// The dataset model's public surface: the one typed, tolerant reader of each of our file formats (edit
// instances and their questions, splits, KBs, edit specs, RippleEdits records and their conversion, world
// folders) with JSON positions. Imports only server/common; the checker, runtime, world and CLI import this.
export {
  type EditSpec,
  LAYER_PRESETS,
  type LayerPreset,
  readEditSpec,
  SPEC_PATH_FIELDS,
  type SpecPathField,
} from './edit-spec';
export {
  describeNonRegular,
  FILE_PROBLEMS,
  type FileProblem,
  MAX_TEXT_FILE_BYTES,
  type ReadResult,
  readTextFile,
  statRegular,
} from './file';
export {
  type Alias,
  type Instance,
  type LocalityQuestion,
  type PropagationQuestion,
  QUESTION_KINDS,
  type Question,
  type QuestionKind,
  questionPath,
  readInstance,
  type Triple,
} from './instance';
export { JsonDoc, type JsonPath, type Loc, type LocPart } from './json';
export { type JsonlRecord, parseJsonl } from './jsonl';
export {
  buildKb,
  CARDINALITIES,
  type Cardinality,
  type Decl,
  Kb,
  type KbEntity,
  type KbFact,
  type KbRelation,
  type KbSource,
  type KbType,
} from './kb';
export { detectKind, FILE_KINDS, type FileKind, kindFromName, parseKind } from './kind';
export { containsPhrase, normalize } from './match';
export type { Position, Range } from './positions';
export { type InstanceFile, type InstanceRecord, type LineProblem, readInstanceFile } from './read';
export { type ConvertOptions, type ConvertResult, convertRippleEdits } from './rippleedits';
export {
  OOD_ENTITY_SPLITS,
  OOD_RELATION_SPLITS,
  SPLITS,
  type Split,
  splitFromFileName,
  TEST_SPLITS,
  type TestSplit,
  WORLD_SPLITS,
  type WorldSplit,
} from './splits';
export { type EvalQuestion, readWorldQuestions, WorldFileError, type WorldQuestions } from './world';
