// The table of diagnostic rules, one per file in this folder; the engine runs them by scope.
// Adding a rule: write its file (header `// Diagnostic: propmend/<code>`), add it here, add fixtures in test/check/.
import { aliasCollision } from './alias-collision';
import { answerInQuestion } from './answer-in-question';
import { answerMismatch } from './answer-mismatch';
import { answerTooLong } from './answer-too-long';
import { answerType } from './answer-type';
import { cardinality } from './cardinality';
import { domainMismatch } from './domain-mismatch';
import { duplicateAlias } from './duplicate-alias';
import { duplicateId } from './duplicate-id';
import { duplicateKey } from './duplicate-key';
import { duplicateQuestion } from './duplicate-question';
import { emptyAnswer } from './empty-answer';
import { layerOutOfRange } from './layer-out-of-range';
import { leakEntity } from './leak-entity';
import { leakRelation } from './leak-relation';
import { leakSubject } from './leak-subject';
import { localityMentionsSubject } from './locality-mentions-subject';
import { missingAliases } from './missing-aliases';
import { missingFile } from './missing-file';
import { pathMismatch } from './path-mismatch';
import { pathStart } from './path-start';
import { promptTooLong } from './prompt-too-long';
import { rippleEditsEmptyAnswers } from './rippleedits-empty-answers';
import { rippleEditsIdList } from './rippleedits-id-list';
import type { Rule } from './rule';
import { subjectNotInFact } from './subject-not-in-fact';
import { unknownEntity } from './unknown-entity';
import { unknownRelation } from './unknown-relation';
import { unknownType } from './unknown-type';
import { verbatimLabel } from './verbatim-label';

export const RULES: readonly Rule[] = [
  subjectNotInFact,
  unknownType,
  unknownRelation,
  unknownEntity,
  domainMismatch,
  cardinality,
  pathStart,
  pathMismatch,
  answerType,
  answerMismatch,
  emptyAnswer,
  duplicateAlias,
  missingAliases,
  answerInQuestion,
  verbatimLabel,
  duplicateQuestion,
  localityMentionsSubject,
  answerTooLong,
  promptTooLong,
  duplicateId,
  leakSubject,
  leakEntity,
  leakRelation,
  aliasCollision,
  duplicateKey,
  missingFile,
  layerOutOfRange,
  rippleEditsIdList,
  rippleEditsEmptyAnswers,
];

/** Codes the engine emits itself (parsing, schema, configuration), documented by their own files here. */
export const ENGINE_CODES = [
  'json-syntax',
  'nesting-too-deep',
  'schema',
  'duplicate-key',
  'no-kb',
  'too-many',
  'tokenizer',
  'unreadable-file',
  'outside-root',
  'internal-error',
] as const;
