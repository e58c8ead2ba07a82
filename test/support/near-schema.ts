import fc from 'fast-check';
import type { z } from 'zod';

/**
 * Values near a zod schema's boundary, for holding a fast validator equal to zod: mostly what the
 * schema describes, with any node now and then absent, null, of the wrong type (`"123"` for a
 * number, a number for a string), out of range (1.5, -1, 2^53, Infinity as JSON.parse makes of
 * 1e400), or nested garbage, and objects with extra keys (`__proto__` and `constructor` among
 * them). Built from the schema itself, so a field added to the contract is covered without
 * touching the test. Every value is one JSON.parse could return: no undefined inside.
 */

type Def = Record<string, unknown> & { type: string; checks?: { _zod: { def: Record<string, unknown> } }[] };

const ABSENT = Symbol('absent');

/** Scalars that sit on some type's boundary. */
export const boundaryScalar: fc.Arbitrary<unknown> = fc.constantFrom(
  null,
  true,
  false,
  0,
  -0,
  1,
  -1,
  1.5,
  2 ** 53,
  -(2 ** 53),
  Number.MAX_SAFE_INTEGER,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  '',
  ' ',
  '0',
  '123',
  '1795132800000',
  'null',
  'REDACTED',
  '-',
  '\ud800',
  '😀',
  'é',
);

export const garbage: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: boundaryScalar },
  { weight: 1, arbitrary: fc.constantFrom([], {}, [null], [''], [{}], { name: 1 }) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

const extraKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'extra', ''),
  fc.string({ maxLength: 8 }),
);

interface Bounds {
  min?: number;
  max?: number;
  int: boolean;
  minLength: number;
  maxLength?: number;
}

/** What a node's checks ask for, read from zod's definitions (a format schema such as z.int() is its own check). */
function bounds(node: z.core.$ZodType): Bounds {
  const def = node._zod.def as unknown as Def;
  const out: Bounds = { int: String(def.format ?? '').includes('int'), minLength: 0 };
  for (const c of def.checks ?? []) {
    const d = c._zod.def;
    if (d.check === 'number_format' && String(d.format).includes('int')) out.int = true;
    if (d.check === 'greater_than') out.min = Number(d.value) + (d.inclusive ? 0 : 0.5);
    if (d.check === 'less_than') out.max = Number(d.value) - (d.inclusive ? 0 : 0.5);
    if (d.check === 'min_length') out.minLength = Number(d.minimum);
    if (d.check === 'max_length') out.maxLength = Number(d.maximum);
    if (d.check === 'length_equals') {
      out.minLength = Number(d.length);
      out.maxLength = Number(d.length);
    }
  }
  return out;
}

// Mostly values that meet the node's checks, sometimes ones just outside them.
function stringArb(b: Bounds): fc.Arbitrary<unknown> {
  const maxLength = b.maxLength ?? Math.max(12, b.minLength);
  return fc.oneof(
    { weight: 6, arbitrary: fc.string({ minLength: b.minLength, maxLength }) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: b.minLength, maxLength }) },
    { weight: 1, arbitrary: fc.constantFrom('', 'x', '\ud800', '😀', 'a😀', '\udc00\ud800', 'BLOCK') },
  );
}

function numberArb(b: Bounds): fc.Arbitrary<unknown> {
  const edges = fc.constantFrom(0, -0, 1795132800000, -1, 1, 2 ** 53, 0.5, b.min ?? 0, b.max ?? 0);
  if (b.int) {
    const min = Math.ceil(b.min ?? 0);
    const max = Math.floor(b.max ?? Number.MAX_SAFE_INTEGER);
    return fc.oneof(
      { weight: 8, arbitrary: fc.integer({ min, max: Math.max(min, max) }) },
      { weight: 1, arbitrary: fc.integer() },
      { weight: 1, arbitrary: edges },
    );
  }
  const inRange = fc.double({
    min: b.min ?? -1e12,
    max: b.max ?? 1e12,
    noNaN: true,
    noDefaultInfinity: true,
  });
  return fc.oneof(
    { weight: 6, arbitrary: inRange },
    { weight: 1, arbitrary: fc.double() },
    { weight: 1, arbitrary: edges },
  );
}

/** What the node describes, mostly well formed; its children may be off. */
function valid(node: z.core.$ZodType, rate: number, depth: number): fc.Arbitrary<unknown> {
  const def = node._zod.def as unknown as Def;
  switch (def.type) {
    case 'string':
      // A format (z.email() ...) is met by a few known values only; random text nearly never.
      return def.format
        ? fc.oneof(
            fc.constantFrom('a@example.com', 'x@y.co', 'not an email', '@', ''),
            stringArb(bounds(node)),
          )
        : stringArb(bounds(node));
    case 'number':
      return numberArb(bounds(node));
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'unknown':
    case 'any':
      return fc.oneof(fc.jsonValue({ maxDepth: 2 }), boundaryScalar);
    case 'literal':
      return fc.constantFrom(...(def.values as unknown[]));
    case 'enum':
      return fc.constantFrom(...Object.values(def.entries as Record<string, unknown>));
    case 'optional':
      // Absence is the parent's business (it drops the key); here the inner value.
      return near(def.innerType as z.core.$ZodType, rate, depth);
    case 'nullable':
      return fc.oneof(
        { weight: 1, arbitrary: fc.constant(null) },
        { weight: 4, arbitrary: near(def.innerType as z.core.$ZodType, rate, depth) },
      );
    case 'array': {
      const b = bounds(node);
      return fc.array(near(def.element as z.core.$ZodType, rate, depth + 1), {
        minLength: b.minLength,
        maxLength: Math.max(b.minLength, Math.min(b.maxLength ?? 4, depth > 3 ? 1 : 4)),
      });
    }
    case 'readonly':
      return valid(def.innerType as z.core.$ZodType, rate, depth);
    case 'record':
      return fc.dictionary(
        fc.string({ maxLength: 4 }),
        near(def.valueType as z.core.$ZodType, rate, depth + 1),
        { maxKeys: 3 },
      );
    case 'tuple':
      return fc.tuple(...(def.items as z.core.$ZodType[]).map((i) => near(i, rate, depth + 1)));
    case 'union':
      return fc.oneof(...(def.options as z.core.$ZodType[]).map((o) => near(o, rate, depth)));
    case 'object': {
      const shape = def.shape as Record<string, z.core.$ZodType>;
      const entries = Object.entries(shape).map(([key, child]) =>
        fc
          .oneof(
            { weight: 40, arbitrary: near(child, rate, depth + 1) },
            { weight: child._zod.optin ? 10 : 1, arbitrary: fc.constant(ABSENT) },
          )
          .map((value) => [key, value] as const),
      );
      const extras = fc.array(fc.tuple(extraKey, fc.oneof(garbage, fc.constant('x'))), { maxLength: 2 });
      return fc.tuple(fc.tuple(...entries), extras).map(([pairs, more]) => {
        const out: Record<string, unknown> = {};
        for (const [key, value] of pairs) {
          if (value !== ABSENT) Object.defineProperty(out, key, own(value));
        }
        // defineProperty, as JSON.parse does: a `__proto__` key is an own property, not the prototype.
        for (const [key, value] of more) if (!(key in shape)) Object.defineProperty(out, key, own(value));
        return out;
      });
    }
    default:
      return garbage;
  }
}

function own(value: unknown): PropertyDescriptor {
  return { value, enumerable: true, writable: true, configurable: true };
}

function near(node: z.core.$ZodType, rate: number, depth: number): fc.Arbitrary<unknown> {
  if (rate === 0) return valid(node, rate, depth);
  return fc.oneof(
    { weight: Math.round(1000 * (1 - rate)), arbitrary: valid(node, rate, depth) },
    { weight: Math.round(1000 * rate), arbitrary: garbage },
  );
}

/**
 * Values near `schema`. Each value draws how broken it is: no node replaced by garbage, or each
 * node with a small or a large chance; so whole valid records, records with one fault deep inside,
 * and wrecks all come up.
 */
export function nearSchema(schema: z.core.$ZodType): fc.Arbitrary<unknown> {
  return fc.oneof(...[0, 0.003, 0.01, 0.05].map((rate) => valid(schema, rate, 0)));
}

type Step = { pick: number; op: 'delete' | 'replace' | 'add'; value: unknown; key: string };

/** Paths to every value inside a JSON value (objects' keys and arrays' items). */
function paths(value: unknown, at: (string | number)[] = [], out: (string | number)[][] = []) {
  if (value !== null && typeof value === 'object') {
    out.push(at);
    for (const [k, v] of Object.entries(value)) paths(v, [...at, Array.isArray(value) ? Number(k) : k], out);
  } else {
    out.push(at);
  }
  return out;
}

function apply(root: unknown, given: Step): unknown {
  // fast-check may hand the same value to several runs: the root must never take it by reference.
  const step = { ...given, value: structuredClone(given.value) };
  const all = paths(root);
  const path = all[step.pick % all.length] ?? [];
  if (path.length === 0) return step.op === 'replace' ? step.value : root;
  let parent = root as Record<string | number, unknown>;
  for (const p of path.slice(0, -1)) parent = parent[p] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  if (step.op === 'delete') {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else if (step.op === 'replace') {
    Object.defineProperty(parent, last, own(step.value));
  } else {
    const target = parent[last];
    if (target !== null && typeof target === 'object' && !Array.isArray(target))
      Object.defineProperty(target, step.key, own(step.value));
    else if (Array.isArray(target)) target.push(step.value);
  }
  return root;
}

/** A real record with a few random deletions, replacements and added keys anywhere in it. */
export function mutated(records: readonly unknown[]): fc.Arbitrary<unknown> {
  const step = fc.record({
    pick: fc.nat(),
    op: fc.constantFrom('delete', 'replace', 'add'),
    value: garbage,
    key: extraKey,
  }) as fc.Arbitrary<Step>;
  return fc
    .tuple(fc.constantFrom(...records), fc.array(step, { minLength: 1, maxLength: 3 }))
    .map(([record, steps]) => steps.reduce(apply, structuredClone(record)));
}
