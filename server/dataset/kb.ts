// The knowledge base the checks type against: types, relations with domain/range/cardinality, and entities
// with aliases and facts, built tolerantly from one or more parsed *.kb.json files (bad entries are skipped;
// the KB's own diagnostics come from the kb rules). Remembers where each name is declared for go-to-definition.
import type { JsonDoc } from './json';
import { normalize } from './match';
import type { Range } from './positions';

export const CARDINALITIES = ['one-to-one', 'many-to-one', 'one-to-many', 'many-to-many'] as const;
export type Cardinality = (typeof CARDINALITIES)[number];

export interface Decl {
  readonly path: string;
  readonly range: Range;
}

export interface KbType {
  readonly name: string;
  readonly literal: boolean;
  readonly description?: string;
  readonly decl: Decl;
}

export interface KbRelation {
  readonly name: string;
  readonly domain: string;
  readonly range: string;
  readonly cardinality: Cardinality;
  readonly statement?: string;
  readonly question?: string;
  readonly description?: string;
  readonly decl: Decl;
}

export interface KbFact {
  readonly objects: readonly string[];
  /** True when the file wrote a list (paths then end in an index). */
  readonly list: boolean;
}

export interface KbEntity {
  readonly name: string;
  readonly type: string;
  readonly aliases: readonly string[];
  readonly facts: ReadonlyMap<string, KbFact>;
  readonly description?: string;
  readonly decl: Decl;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export interface KbSource {
  readonly path: string;
  readonly doc: JsonDoc;
}

export class Kb {
  readonly types = new Map<string, KbType>();
  readonly relations = new Map<string, KbRelation>();
  readonly entities = new Map<string, KbEntity>();
  /** Names declared twice across the KB files: later declarations, for the alias-collision rule. */
  readonly redeclared: Array<{
    kind: 'type' | 'relation' | 'entity';
    name: string;
    decl: Decl;
    first: Decl;
  }> = [];
  private readonly surface = new Map<string, KbEntity[]>();
  private readonly subjectsByObject = new Map<string, Map<string, string[]>>();

  constructor(
    readonly files: readonly string[],
    /** Identity of the contents, for caches: changes whenever a KB file's text changes. */
    readonly version: string,
  ) {}

  /** The entity a surface string names (canonical name first, then aliases), case-insensitively. */
  resolve(text: string): KbEntity | undefined {
    const hits = this.surface.get(normalize(text));
    if (!hits) return undefined;
    return hits.find((e) => normalize(e.name) === normalize(text)) ?? hits[0];
  }

  /** Every entity a surface string may name (several when aliases collide). */
  resolveAll(text: string): readonly KbEntity[] {
    return this.surface.get(normalize(text)) ?? [];
  }

  isLiteral(type: string): boolean {
    return this.types.get(type)?.literal === true;
  }

  /** Known objects of `relation` for `entity` (empty when the KB states none). */
  objects(entity: string, relation: string): readonly string[] {
    return this.entities.get(entity)?.facts.get(relation)?.objects ?? [];
  }

  /** Entities that have `object` as an object of `relation`. */
  subjects(relation: string, object: string): readonly string[] {
    return this.subjectsByObject.get(relation)?.get(object) ?? [];
  }

  /** All surface forms (names and aliases) for completion and did-you-mean. */
  surfaceForms(): IterableIterator<string> {
    return this.surface.keys();
  }

  /** Adds the declarations of one parsed KB file (only files that parsed as JSON). */
  add(source: KbSource): void {
    const root = source.doc.value;
    if (!isObj(root)) return;
    const sections = ['types', 'relations', 'entities'] as const;
    const names: Array<{ section: (typeof sections)[number]; name: string; body: unknown }> = [];
    for (const section of sections) {
      const obj = root[section];
      if (!isObj(obj)) continue;
      for (const [name, body] of Object.entries(obj)) names.push({ section, name, body });
    }
    const ranges = source.doc.resolve(names.map((n) => ({ path: [n.section, n.name], part: 'key' })));
    names.forEach((n, i) => {
      const decl: Decl = { path: source.path, range: ranges[i] as Range };
      const body = isObj(n.body) ? n.body : {};
      if (n.section === 'types') this.addType(n.name, body, decl);
      else if (n.section === 'relations') this.addRelation(n.name, body, decl);
      else this.addEntity(n.name, body, decl);
    });
  }

  private addType(name: string, body: Obj, decl: Decl): void {
    const prev = this.types.get(name);
    if (prev) return void this.redeclared.push({ kind: 'type', name, decl, first: prev.decl });
    const description = str(body.description);
    this.types.set(name, {
      name,
      literal: body.literal === true,
      decl,
      ...(description ? { description } : {}),
    });
  }

  private addRelation(name: string, body: Obj, decl: Decl): void {
    const prev = this.relations.get(name);
    if (prev) return void this.redeclared.push({ kind: 'relation', name, decl, first: prev.decl });
    const card = str(body.cardinality);
    const optional: Partial<Record<'statement' | 'question' | 'description', string>> = {};
    for (const k of ['statement', 'question', 'description'] as const) {
      const v = str(body[k]);
      if (v !== undefined) optional[k] = v;
    }
    this.relations.set(name, {
      name,
      domain: str(body.domain) ?? '',
      range: str(body.range) ?? '',
      cardinality: (CARDINALITIES as readonly string[]).includes(card ?? '')
        ? (card as Cardinality)
        : 'many-to-many',
      decl,
      ...optional,
    });
  }

  private addEntity(name: string, body: Obj, decl: Decl): void {
    const prev = this.entities.get(name);
    if (prev) return void this.redeclared.push({ kind: 'entity', name, decl, first: prev.decl });
    const aliases = Array.isArray(body.aliases)
      ? body.aliases.filter((a): a is string => typeof a === 'string' && a.trim() !== '')
      : [];
    const facts = new Map<string, KbFact>();
    if (isObj(body.facts)) {
      for (const [rel, v] of Object.entries(body.facts)) {
        if (typeof v === 'string') facts.set(rel, { objects: [v], list: false });
        else if (Array.isArray(v))
          facts.set(rel, { objects: v.filter((o): o is string => typeof o === 'string'), list: true });
      }
    }
    const description = str(body.description);
    const entity: KbEntity = {
      name,
      type: str(body.type) ?? '',
      aliases,
      facts,
      decl,
      ...(description ? { description } : {}),
    };
    this.entities.set(name, entity);
    for (const form of [name, ...aliases]) {
      const key = normalize(form);
      const list = this.surface.get(key);
      if (list) {
        if (!list.includes(entity)) list.push(entity);
      } else this.surface.set(key, [entity]);
    }
    for (const [rel, fact] of facts) {
      let byObject = this.subjectsByObject.get(rel);
      if (!byObject) {
        byObject = new Map();
        this.subjectsByObject.set(rel, byObject);
      }
      for (const o of fact.objects) {
        const list = byObject.get(o);
        if (list) list.push(name);
        else byObject.set(o, [name]);
      }
    }
  }
}

/** Builds the union KB of parsed files (files that failed to parse contribute nothing). */
export function buildKb(sources: readonly KbSource[], version: string): Kb {
  const kb = new Kb(
    sources.map((s) => s.path),
    version,
  );
  for (const s of sources) if (s.doc.ok) kb.add(s);
  return kb;
}
