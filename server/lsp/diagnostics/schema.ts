// Diagnostic: propmend/schema
// A value that violates the format's JSON Schema (schemas/*.schema.json): missing or unknown fields, wrong types, bad enum values.
import type { LocPart } from '../../dataset/json';
import type { Pending } from '../check/report';
import { validateSchema } from '../check/schema';
import type { FileKind } from '../check/types';

/** The code of schema violations (the editor drops them where VS Code's JSON service reports them). */
export const SCHEMA = 'schema';

export function schemaDiagnostics(kind: FileKind, value: unknown, rootPart: LocPart): Pending[] {
  return validateSchema(kind, value, rootPart);
}
