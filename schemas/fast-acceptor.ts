import type { z } from 'zod';

/**
 * Compiles a zod schema into one plain JavaScript predicate that accepts exactly the values the
 * schema's `safeParse` accepts, for values JSON.parse produces. zod stays the contract and the one
 * that explains a failure; this is the hot path's yes/no in front of it (issue 11: zod's
 * safeParse builds a fresh object per level and an issue list per field, several µs per WAF
 * record; a flat predicate is a fraction of that).
 *
 * Why not zod's JSON Schema through Ajv: measured on the same records, Ajv took 1.5 µs a record
 * against this predicate's 0.5 µs, costs about 120 ms to compile at a Lambda cold start, and its
 * keywords differ from zod's in details (string lengths in code points, `integer` limits) that
 * would need their own proofs. This compiler reads zod's own definitions and mirrors zod's rules
 * node by node (the rules below cite zod 4's `$ZodObject`, `$ZodNumber`, `$ZodCheckNumberFormat`).
 *
 * Acceptance only: a node this compiler does not know (a refine, a record, a tuple ...) becomes a
 * call to that node's own `safeParse`, so the answer stays exact, only slower there. A schema whose
 * output differs from its input beyond dropping unknown keys (a default, transform, pipe,
 * coercion, overwrite check such as trim) cannot have its input handed on as the parsed value:
 * compiling one throws, so such a change to a contract fails every test at once instead of
 * quietly skipping a default on the fast path.
 */

export class OutputChangingSchemaError extends Error {}

type Check = { _zod: { def: { check: string } & Record<string, unknown> } };
type Def = Record<string, unknown> & { type: string; checks?: Check[] };
type Node = z.core.$ZodType;

const OUTPUT_CHANGING = new Set(['default', 'prefault', 'catch', 'transform', 'pipe', 'success', 'codec']);
/** Types whose values never come out of JSON.parse and carry no children: zod decides them alone. */
const LEAF_FALLBACK = new Set([
  'bigint',
  'symbol',
  'date',
  'nan',
  'void',
  'file',
  'function',
  'promise',
  'template_literal',
  'custom',
]);
/** zod 4's NUMBER_FORMAT_RANGES. */
const NUMBER_RANGES: Record<string, [number, number]> = {
  safeint: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
  float32: [-3.4028234663852886e38, 3.4028234663852886e38],
  float64: [-Number.MAX_VALUE, Number.MAX_VALUE],
};

class Compiler {
  private readonly functions: string[] = [];
  readonly refs: unknown[] = [];
  private readonly named = new Map<Node, string>();
  private locals = 0;

  constructor(private readonly path: string) {}

  source(root: Node): string {
    const test = this.expr(root, 'v', '');
    return `${this.functions.join('\n')}\nreturn function accepts(v) { return ${test}; };`;
  }

  private where(at: string): string {
    return `${this.path}${at}`;
  }

  private ref(value: unknown): string {
    this.refs.push(value);
    return `refs[${this.refs.length - 1}]`;
  }

  /** A named function for a node (memoized: a schema reused in several places compiles once). */
  private fn(node: Node, at = ''): string {
    const known = this.named.get(node);
    if (known) return known;
    const name = `f${this.named.size}`;
    this.named.set(node, name);
    const body = this.body(node, at);
    this.functions.push(`function ${name}(v) {\n${body}\n}`);
    return name;
  }

  private fallback(node: Node): string {
    return `${this.ref(node)}.safeParse(v).success`;
  }

  /** A boolean expression over the value in `v` (a local name). */
  private expr(node: Node, v: string, at: string): string {
    const def = node._zod.def as unknown as Def;
    if (OUTPUT_CHANGING.has(def.type) || def.coerce === true) {
      throw new OutputChangingSchemaError(
        `${this.where(at)}: a ${def.coerce ? `coerced ${def.type}` : def.type} changes the parsed value; the fast acceptor hands the input on as it is`,
      );
    }
    const checks = [...(def.checks ?? [])];
    for (const c of checks) {
      if (c._zod.def.check === 'overwrite')
        throw new OutputChangingSchemaError(
          `${this.where(at)}: an overwrite check (trim, case) changes the value`,
        );
    }
    // A format schema (z.email(), z.int()) is its own check: $ZodType runs the instance first.
    if (node._zod.traits.has('$ZodCheck')) {
      if (def.type !== 'number' || !(String(def.format) in NUMBER_RANGES)) return this.leaf(node, v);
      checks.unshift({ _zod: { def: { check: 'number_format', format: def.format } } });
    }
    switch (def.type) {
      case 'string':
        return this.withChecks(`typeof ${v} === "string"`, checks, v, node, at);
      case 'number':
        // $ZodNumber: NaN and ±Infinity are not numbers (JSON.parse turns 1e400 into Infinity).
        return this.withChecks(`typeof ${v} === "number" && Number.isFinite(${v})`, checks, v, node, at);
      case 'boolean':
        return this.withChecks(`typeof ${v} === "boolean"`, checks, v, node, at);
      case 'null':
        return `${v} === null`;
      case 'undefined':
        return `${v} === undefined`;
      case 'unknown':
      case 'any':
        return checks.length ? this.call(node, v, at) : 'true';
      case 'never':
        return 'false';
      case 'literal':
        return `${this.ref(new Set(def.values as unknown[]))}.has(${v})`;
      case 'enum':
        return `${this.ref(new Set(Object.values(def.entries as Record<string, unknown>)))}.has(${v})`;
      case 'optional':
        return `(${v} === undefined || ${this.expr(def.innerType as Node, v, at)})`;
      case 'nullable':
        return `(${v} === null || ${this.expr(def.innerType as Node, v, at)})`;
      case 'readonly':
        // Freezing the output keeps its values; acceptance is the inner schema's.
        return this.expr(def.innerType as Node, v, at);
      default:
        return this.call(node, v, at);
    }
  }

  private call(node: Node, v: string, at: string): string {
    return `${this.fn(node, at)}(${v})`;
  }

  /** Checks on a scalar; an unknown check leaves the whole node to zod. */
  private withChecks(type: string, checks: Check[], v: string, node: Node, at: string): string {
    const parts = [type];
    for (const c of checks) {
      const d = c._zod.def;
      const value = d.value as number;
      // Lengths: zod counts a string in code points (4.6) where it once counted UTF-16 units. A code
      // point is one or two units, so outside the band where the two measures can disagree the
      // answer is the same either way; inside it, zod decides.
      switch (d.check) {
        case 'min_length': {
          const n = Number(d.minimum);
          parts.push(`(${v}.length >= ${2 * n} || (${v}.length >= ${n} && ${this.leaf(node, v)}))`);
          break;
        }
        case 'max_length': {
          const n = Number(d.maximum);
          parts.push(`(${v}.length <= ${n} || (${v}.length <= ${2 * n} && ${this.leaf(node, v)}))`);
          break;
        }
        case 'length_equals': {
          const n = Number(d.length);
          parts.push(`(${v}.length >= ${n} && ${v}.length <= ${2 * n} && ${this.leaf(node, v)})`);
          break;
        }
        case 'greater_than':
          parts.push(`${v} ${d.inclusive ? '>=' : '>'} ${this.ref(value)}`);
          break;
        case 'less_than':
          parts.push(`${v} ${d.inclusive ? '<=' : '<'} ${this.ref(value)}`);
          break;
        case 'number_format': {
          const format = String(d.format ?? 'float64');
          const range = NUMBER_RANGES[format];
          if (!range) return this.call(node, v, at);
          if (format.includes('int')) parts.push(`Number.isInteger(${v})`);
          parts.push(`${v} >= ${range[0]} && ${v} <= ${range[1]}`);
          break;
        }
        default:
          return this.leaf(node, v);
      }
    }
    return parts.join(' && ');
  }

  /** A node zod alone decides, called as its own function so the caller's code stays flat. */
  private leaf(node: Node, v: string): string {
    const known = this.named.get(node);
    if (known) return `${known}(${v})`;
    const name = `f${this.named.size}`;
    this.named.set(node, name);
    this.functions.push(`function ${name}(v) {\nreturn ${this.fallback(node)};\n}`);
    return `${name}(${v})`;
  }

  private body(node: Node, at: string): string {
    const def = node._zod.def as unknown as Def;
    const checks = def.checks ?? [];
    if (checks.length > 0 && def.type !== 'array') return `return ${this.fallbackAfterChildren(node, at)};`;
    switch (def.type) {
      case 'object':
        return this.objectBody(node, def, at);
      case 'array':
        return this.arrayBody(node, def, at);
      case 'union': {
        // An exclusive or discriminated union has rules beyond "any option": zod decides.
        if (def.inclusive === false || def.discriminator !== undefined)
          return `return ${this.fallbackAfterChildren(node, at)};`;
        const options = (def.options as Node[]).map((o, i) => this.expr(o, 'v', `${at}|${i}`));
        return `return ${options.map((o) => `(${o})`).join(' || ')};`;
      }
      default:
        return `return ${this.fallbackAfterChildren(node, at)};`;
    }
  }

  /** zod decides this node, but nothing inside it may change the value either. */
  private fallbackAfterChildren(node: Node, at: string): string {
    const def = node._zod.def as unknown as Def;
    if (def.type === 'lazy')
      throw new OutputChangingSchemaError(
        `${this.where(at)}: a lazy schema cannot be proven value-preserving`,
      );
    if (!LEAF_FALLBACK.has(def.type)) {
      for (const child of children(def)) this.assertPreserving(child, at);
    }
    return this.fallback(node);
  }

  private assertPreserving(node: Node, at: string): void {
    // Compiling a child throws on anything output-changing; its code is not used.
    new Compiler(this.where(at)).source(node);
  }

  private objectBody(node: Node, def: Def, at: string): string {
    const shape = def.shape as Record<string, Node>;
    const lines = ['if (typeof v !== "object" || v === null || Array.isArray(v)) return false;'];
    for (const [key, child] of Object.entries(shape)) {
      // $ZodObject skips a declared `__proto__` altogether.
      if (key === '__proto__') continue;
      const k = JSON.stringify(key);
      const local = `p${this.locals++}`;
      const test = this.expr(child, local, `${at}.${key}`);
      const optin = child._zod.optin;
      const optout = child._zod.optout;
      lines.push(`const ${local} = v[${k}];`);
      // handlePropertyResult: an absent key passes when the child is optional in and out; an absent
      // key of a child that is not optional-in fails; otherwise the child decides on undefined.
      if (optin !== undefined && optout === 'optional') {
        lines.push(`if (${local} === undefined ? (${k} in v) && !(${test}) : !(${test})) return false;`);
      } else if (optin === undefined) {
        lines.push(`if (${local} === undefined ? !(${k} in v) || !(${test}) : !(${test})) return false;`);
      } else {
        lines.push(`if (!(${test})) return false;`);
      }
    }
    const catchall = def.catchall as Node | undefined;
    if (catchall) {
      const type = (catchall._zod.def as unknown as Def).type;
      if (type === 'never') {
        // Strict: every key outside the shape is an error, `__proto__` included.
        const keys = this.ref(new Set(Object.keys(shape)));
        lines.push(`for (const k in v) if (!${keys}.has(k)) return false;`);
      } else if (type !== 'unknown' && type !== 'any') {
        this.assertPreserving(catchall, `${at}.*`);
        return `return ${this.fallback(node)};`;
      }
    }
    lines.push('return true;');
    return lines.join('\n');
  }

  private arrayBody(node: Node, def: Def, at: string): string {
    const lines = ['if (!Array.isArray(v)) return false;'];
    for (const c of def.checks ?? []) {
      const d = c._zod.def;
      if (d.check === 'min_length') lines.push(`if (v.length < ${Number(d.minimum)}) return false;`);
      else if (d.check === 'max_length') lines.push(`if (v.length > ${Number(d.maximum)}) return false;`);
      else if (d.check === 'length_equals') lines.push(`if (v.length !== ${Number(d.length)}) return false;`);
      else return `return ${this.fallbackAfterChildren(node, at)};`;
    }
    const element = this.expr(def.element as Node, 'e', `${at}[]`);
    lines.push(`for (let i = 0; i < v.length; i++) { const e = v[i]; if (!(${element})) return false; }`);
    lines.push('return true;');
    return lines.join('\n');
  }
}

function children(def: Def): Node[] {
  const out: Node[] = [];
  const add = (x: unknown) => {
    if (x && typeof x === 'object' && '_zod' in x) out.push(x as Node);
  };
  add(def.innerType);
  add(def.element);
  add(def.keyType);
  add(def.valueType);
  add(def.left);
  add(def.right);
  add(def.rest);
  add(def.catchall);
  for (const o of (def.options as unknown[] | undefined) ?? []) add(o);
  for (const o of (def.items as unknown[] | undefined) ?? []) add(o);
  for (const o of Object.values((def.shape as Record<string, unknown> | undefined) ?? {})) add(o);
  return out;
}

/** The predicate's source, for tests and for reading what runs. */
export function acceptorSource(schema: Node): string {
  return new Compiler('').source(schema);
}

export function compileAcceptor<T extends Node>(schema: T): (value: unknown) => value is z.output<T> {
  const compiler = new Compiler('');
  const source = compiler.source(schema);
  return new Function('refs', source)(compiler.refs) as (value: unknown) => value is z.output<T>;
}
