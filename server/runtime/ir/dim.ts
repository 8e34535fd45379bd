// Symbolic tensor dimensions: a dimension is a number or a canonical polynomial over named sizes
// ("B", "T", "B*T", "P+T", "T-1"), so shapes with batch and sequence axes can be checked at build time.
// Pure algebra: knows nothing about ops, graphs or ONNX.

/** A static size, or the canonical string of a polynomial in symbolic sizes. */
export type Dim = number | string;
export type Shape = readonly Dim[];

/** Monomial key (sorted symbol names joined by '*', '' for the constant term) → integer coefficient. */
type Poly = Map<string, number>;

const SYMBOL = /^[A-Za-z_][A-Za-z0-9_]*$/;

function monomialKey(symbols: string[]): string {
  return symbols.slice().sort().join('*');
}

function addTerm(poly: Poly, key: string, coeff: number): void {
  const next = (poly.get(key) ?? 0) + coeff;
  if (next === 0) poly.delete(key);
  else poly.set(key, next);
}

/** Parses a dimension expression: integers and symbols combined with + - * (no parentheses). */
function parse(dim: Dim): Poly {
  const poly: Poly = new Map();
  if (typeof dim === 'number') {
    if (!Number.isInteger(dim) || dim < 0)
      throw new Error(`invalid static dimension ${dim}: expected a non-negative integer`);
    addTerm(poly, '', dim);
    return poly;
  }
  const text = dim.replace(/\s+/g, '');
  if (text === '') throw new Error('empty dimension expression');
  const terms = text.match(/[+-]?[^+-]+/g);
  if (!terms || terms.join('') !== text) throw new Error(`cannot parse dimension "${dim}"`);
  for (const rawTerm of terms) {
    let sign = 1;
    let term = rawTerm;
    if (term[0] === '+' || term[0] === '-') {
      sign = term[0] === '-' ? -1 : 1;
      term = term.slice(1);
    }
    let coeff = sign;
    const symbols: string[] = [];
    for (const factor of term.split('*')) {
      if (/^\d+$/.test(factor)) coeff *= Number(factor);
      else if (SYMBOL.test(factor)) symbols.push(factor);
      else throw new Error(`cannot parse dimension "${dim}": bad factor "${factor}"`);
    }
    addTerm(poly, monomialKey(symbols), coeff);
  }
  return poly;
}

function degree(key: string): number {
  return key === '' ? 0 : key.split('*').length;
}

/** Canonical form: a number when constant, else terms ordered by degree (desc) then name, constant last. */
function format(poly: Poly): Dim {
  const keys = [...poly.keys()].sort((a, b) => degree(b) - degree(a) || (a < b ? -1 : a > b ? 1 : 0));
  if (keys.length === 0) return 0;
  if (keys.length === 1 && keys[0] === '') return poly.get('') as number;
  let out = '';
  for (const key of keys) {
    const coeff = poly.get(key) as number;
    const magnitude = Math.abs(coeff);
    const body = key === '' ? String(magnitude) : magnitude === 1 ? key : `${magnitude}*${key}`;
    out += out === '' ? (coeff < 0 ? `-${body}` : body) : coeff < 0 ? `-${body}` : `+${body}`;
  }
  return out;
}

/** Normalises a dimension to canonical form ("T+B" and "B+T" both become "B+T"). */
export function dim(d: Dim): Dim {
  return format(parse(d));
}

export function isStatic(d: Dim): d is number {
  return typeof d === 'number';
}

export function dimEq(a: Dim, b: Dim): boolean {
  return dim(a) === dim(b);
}

export function dimAdd(a: Dim, b: Dim): Dim {
  const p = parse(a);
  for (const [k, c] of parse(b)) addTerm(p, k, c);
  return format(p);
}

export function dimSub(a: Dim, b: Dim): Dim {
  const p = parse(a);
  for (const [k, c] of parse(b)) addTerm(p, k, -c);
  return format(p);
}

export function dimMul(a: Dim, b: Dim): Dim {
  const pa = parse(a);
  const pb = parse(b);
  const out: Poly = new Map();
  for (const [ka, ca] of pa) {
    for (const [kb, cb] of pb) {
      const symbols = [...(ka ? ka.split('*') : []), ...(kb ? kb.split('*') : [])];
      addTerm(out, monomialKey(symbols), ca * cb);
    }
  }
  return format(out);
}

/** Product of several dimensions (1 for none). */
export function dimProduct(dims: readonly Dim[]): Dim {
  return dims.reduce<Dim>((acc, d) => dimMul(acc, d), 1);
}

/** The atomic symbol names a dimension depends on. */
export function dimSymbols(d: Dim): string[] {
  if (typeof d === 'number') return [];
  const out = new Set<string>();
  for (const key of parse(d).keys()) for (const s of key ? key.split('*') : []) out.add(s);
  return [...out].sort();
}

/** The polynomial's terms, for emitters that compute a dimension at run time. */
export function dimTerms(d: Dim): Array<{ coeff: number; symbols: string[] }> {
  return [...parse(d)].map(([key, coeff]) => ({ coeff, symbols: key ? key.split('*') : [] }));
}

/** Evaluates a dimension given values for its symbols. */
export function evalDim(d: Dim, values: Readonly<Record<string, number>>): number {
  let total = 0;
  for (const { coeff, symbols } of dimTerms(d)) {
    let term = coeff;
    for (const s of symbols) {
      const v = values[s];
      if (v === undefined) throw new Error(`no value for dimension symbol "${s}" in "${d}"`);
      term *= v;
    }
    total += term;
  }
  return total;
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

export function shapeEq(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => dimEq(d, b[i] as Dim));
}

/** Normalises every dimension of a shape. */
export function shapeOf(dims: readonly Dim[]): Dim[] {
  return dims.map(dim);
}
