// Schema validation of parsed documents with Ajv (JSON Schema 2020-12, the files in schemas/), turning
// each Ajv error into a message a person understands, located at the offending value or key.
// Owns the error wording only; the schemas themselves live in schemas/ and are not edited here.
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import editSchema from '../../../schemas/edit.schema.json';
import kbSchema from '../../../schemas/kb.schema.json';
import rippleSchema from '../../../schemas/ripple.schema.json';
import rippleEditsSchema from '../../../schemas/rippleedits.schema.json';
import { closestNames } from '../../common/suggest';
import type { JsonPath, LocPart } from '../../dataset/json';
import type { Pending } from './report';
import type { FileKind } from './types';

const SCHEMA_IDS: Record<FileKind, string> = {
  ripple: 'urn:propmend:schema:ripple',
  kb: 'urn:propmend:schema:kb',
  edit: 'urn:propmend:schema:edit',
  rippleedits: 'urn:propmend:schema:rippleedits',
};

let ajv: Ajv2020 | undefined;
const compiled = new Map<FileKind, ValidateFunction>();

function validator(kind: FileKind): ValidateFunction {
  let v = compiled.get(kind);
  if (v) return v;
  ajv ??= new Ajv2020({
    allErrors: true,
    strict: false,
    verbose: true,
    schemas: [rippleSchema, kbSchema, editSchema, rippleEditsSchema],
  });
  v = ajv.getSchema(SCHEMA_IDS[kind]);
  if (!v) throw new Error(`schema ${SCHEMA_IDS[kind]} is not registered`);
  compiled.set(kind, v);
  return v;
}

type JsonSchema = Record<string, unknown>;

/** Validates `value` as a `kind` document; `rootPart` says where errors about the root object point. */
export function validateSchema(kind: FileKind, value: unknown, rootPart: LocPart = 'value'): Pending[] {
  const validate = validator(kind);
  if (validate(value)) return [];
  const errors = selectErrors(validate.errors ?? [], value);
  const out: Pending[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    const p = describeError(e, value, rootPart);
    const key = `${JSON.stringify(p.at)}|${p.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(p);
  }
  return out;
}

/** Drops the noise of oneOf: keep the branch that matches the value's JSON type, else one summary error. */
function selectErrors(errors: readonly ErrorObject[], root: unknown): ErrorObject[] {
  const drop = new Set<ErrorObject>();
  for (const e of errors) {
    if (e.keyword !== 'oneOf' && e.keyword !== 'anyOf') continue;
    const branches = (Array.isArray(e.schema) ? e.schema : []) as JsonSchema[];
    const data = valueAt(root, pointerToPath(e.instancePath, root));
    const matching = branches.map((b, i) => (typeMatches(b, data) ? i : -1)).filter((i) => i >= 0);
    const prefix = `${e.schemaPath}/`;
    for (const other of errors) {
      if (!other.schemaPath.startsWith(prefix)) continue;
      const branch = Number(other.schemaPath.slice(prefix.length).split('/')[0]);
      if (matching.length !== 1 || branch !== matching[0]) drop.add(other);
    }
    if (matching.length === 1) drop.add(e);
  }
  // propertyNames failures come with a second error for the name's own schema; the summary says it all.
  for (const e of errors) if (e.schemaPath.includes('/propertyNames/')) drop.add(e);
  return errors.filter((e) => !drop.has(e));
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(schema: JsonSchema, data: unknown): boolean {
  const t = jsonType(data);
  if (Array.isArray(schema.enum)) return (schema.enum as unknown[]).some((x) => jsonType(x) === t);
  const types = Array.isArray(schema.type)
    ? (schema.type as string[])
    : schema.type
      ? [schema.type as string]
      : [];
  return types.some((x) => x === t || (x === 'number' && t === 'integer'));
}

export function pointerToPath(pointer: string, root: unknown): JsonPath {
  if (pointer === '') return [];
  const path: Array<string | number> = [];
  let cur: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) {
      path.push(Number(seg));
      cur = cur[Number(seg)];
    } else {
      path.push(seg);
      cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined;
    }
  }
  return path;
}

function valueAt(root: unknown, path: JsonPath): unknown {
  let cur = root;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}

/** `propagation[2].verbatim`, `entities["New York"].type`, or "the document" for the root. */
export function fieldName(path: JsonPath): string {
  if (path.length === 0) return 'the document';
  let s = '';
  for (const seg of path) {
    if (typeof seg === 'number') s += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(seg)) s += s ? `.${seg}` : seg;
    else s += `[${JSON.stringify(seg)}]`;
  }
  return s;
}

function show(v: unknown): string {
  const t = jsonType(v);
  const text = JSON.stringify(v) ?? String(v);
  const short = text.length > 40 ? `${text.slice(0, 39)}…` : text;
  if (t === 'object') return 'an object';
  if (t === 'array') return `a list (${short})`;
  if (t === 'null') return 'null';
  return `${t === 'integer' ? 'number' : t} ${short}`;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  null: 'null',
};

/** A short description of what a schema accepts, for "must be ..." messages. */
export function describeSchema(s: JsonSchema): string {
  if (Array.isArray(s.enum))
    return `one of ${(s.enum as unknown[]).map((x) => JSON.stringify(x)).join(', ')}`;
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (Array.isArray(s.oneOf)) return (s.oneOf as JsonSchema[]).map(describeSchema).join(', or ');
  const types = Array.isArray(s.type) ? (s.type as string[]) : s.type ? [s.type as string] : [];
  return (
    types
      .map((t) => {
        if (t === 'string' && s.minLength === 1) return 'a non-empty string';
        if (t === 'array') {
          const items = s.items ? ` of ${describeSchema(s.items as JsonSchema).replace(/^an? /, '')}s` : '';
          return `${s.minItems ? 'a non-empty list' : 'a list'}${items}`;
        }
        return TYPE_WORDS[t] ?? t;
      })
      .join(' or ') || 'a valid value'
  );
}

function describeError(e: ErrorObject, root: unknown, rootPart: LocPart): Pending {
  const path = pointerToPath(e.instancePath, root);
  const field = fieldName(path);
  const data = e.data;
  const base = { severity: 'error' as const, code: 'schema' };
  const atValue = { path, part: path.length === 0 ? rootPart : ('value' as LocPart) };
  const atKey = { path, part: path.length === 0 ? rootPart : ('key' as LocPart) };
  const params = e.params as Record<string, unknown>;
  const parent = (e.parentSchema ?? {}) as JsonSchema;
  switch (e.keyword) {
    case 'required': {
      const missing = String(params.missingProperty);
      return { ...base, at: atKey, message: `${field} is missing the required field "${missing}"` };
    }
    case 'additionalProperties': {
      const extra = String(params.additionalProperty);
      const known = Object.keys((parent.properties ?? {}) as object);
      const near = closestNames(extra, known, 1);
      const hint = near[0] ? `; did you mean "${near[0]}"?` : `; known fields: ${known.join(', ')}`;
      const fixes = near[0]
        ? [
            {
              title: `Rename to "${near[0]}"`,
              edits: [
                { at: { path: [...path, extra], part: 'key' as const }, newText: JSON.stringify(near[0]) },
              ],
            },
          ]
        : [];
      const where = path.length === 0 ? '' : ` in ${field}`;
      return {
        ...base,
        at: { path: [...path, extra], part: 'key' },
        message: `unknown field "${extra}"${where}${hint}`,
        fixes,
      };
    }
    case 'type':
      return {
        ...base,
        at: atValue,
        message: `${field} must be ${describeSchema(parent)}, got ${show(data)}`,
      };
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]) ?? [];
      const near =
        typeof data === 'string'
          ? closestNames(data, allowed.filter((a) => typeof a === 'string') as string[], 1)
          : [];
      const hint = near[0] ? `; did you mean "${near[0]}"?` : '';
      const fixes = near[0]
        ? [{ title: `Change to "${near[0]}"`, edits: [{ at: atValue, newText: JSON.stringify(near[0]) }] }]
        : [];
      return {
        ...base,
        at: atValue,
        message: `${field} must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${show(data)}${hint}`,
        fixes,
      };
    }
    case 'oneOf':
    case 'anyOf':
      return {
        ...base,
        at: atValue,
        message: `${field} must be ${describeSchema(parent)}, got ${show(data)}`,
      };
    case 'minLength':
      return { ...base, at: atValue, message: `${field} must not be empty` };
    case 'minItems':
      return {
        ...base,
        at: atValue,
        message: `${field} must have at least ${params.limit} item${params.limit === 1 ? '' : 's'}`,
      };
    case 'maxItems':
      return { ...base, at: atValue, message: `${field} must have at most ${params.limit} items` };
    case 'uniqueItems':
      return {
        ...base,
        at: atValue,
        message: `${field} lists the same value twice (items ${params.j} and ${params.i})`,
      };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return {
        ...base,
        at: atValue,
        message: `${field} must be ${params.comparison} ${params.limit}, got ${show(data)}`,
      };
    case 'pattern': {
      const what =
        typeof parent.description === 'string' ? ` (${parent.description.replace(/\.$/, '')})` : '';
      return {
        ...base,
        at: atValue,
        message: `${field} must match ${params.pattern}${what}, got ${show(data)}`,
      };
    }
    case 'propertyNames': {
      const name = String(params.propertyName);
      return {
        ...base,
        at: { path: [...path, name], part: 'key' },
        message: `name "${name}" in ${field} is not allowed: names must match ${describePropertyNames(parent)}`,
      };
    }
    default:
      return { ...base, at: atValue, message: `${field} ${e.message ?? 'is invalid'}` };
  }
}

function describePropertyNames(parent: JsonSchema): string {
  const pn = (parent.propertyNames ?? {}) as JsonSchema;
  if (pn.pattern === '^[a-z][a-z0-9_]*$') return 'lower_snake_case (a-z, 0-9 and _, starting with a letter)';
  if (pn.minLength === 1) return 'a non-empty string';
  return JSON.stringify(pn);
}
