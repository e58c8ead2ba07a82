/**
 * A restricted regular-expression language that means the same in JavaScript, RE2 (DuckDB) and
 * Java/Joni (Trino on Athena): signals are written in it once and compiled for each engine.
 *
 * What it has: ASCII literals, `(...)`, `(?:...)`, `|`, the quantifiers `* + ? {n} {n,} {n,m}`,
 * classes `[...]` / `[^...]` with ASCII ranges, `^` and `$` (start and end of the whole text),
 * and the escapes `\s` (the whitespace JavaScript's `\s` and `trim()` know, listed explicitly),
 * `\d` (`[0-9]`), `\w` (`[A-Za-z0-9_]`), `\t \n \v \f \r`, `\uXXXX`, and a backslash before any
 * other ASCII punctuation for the character itself.
 *
 * What it leaves out, because the engines disagree on it: `.` (RE2's matches `\r`, JavaScript's
 * does not: write the class you mean), `\b` (Unicode-aware in some engines: write
 * `(^|[^a-z0-9_])`), `(?i)` (RE2 folds `ſ` to `s`: match an ASCII-lower-cased view instead),
 * back-references, look-arounds, lazy quantifiers, and non-ASCII literals. `^` and `$` compile to
 * `\A` and `\z` in SQL (Java's `$` also matches before a final line break; Joni's `^` at every
 * line), and to `^`/`$` without the `m` flag in JavaScript; JavaScript runs with the `u` flag so
 * that, like RE2 and Java, it works on code points.
 */

type Node =
  | { t: 'lit'; cp: number }
  | { t: 'class'; negated: boolean; items: ClassItem[] }
  | { t: 'start' }
  | { t: 'end' }
  | { t: 'group'; alts: Node[][]; capture: boolean }
  | { t: 'repeat'; node: Node; min: number; max: number | null };

type ClassItem = { from: number; to: number };

/** JavaScript's `\s` (and what `String.prototype.trim` strips): WhiteSpace and LineTerminator. */
export const SPACE_RANGES: readonly ClassItem[] = [
  { from: 0x09, to: 0x0d },
  { from: 0x20, to: 0x20 },
  { from: 0xa0, to: 0xa0 },
  { from: 0x1680, to: 0x1680 },
  { from: 0x2000, to: 0x200a },
  { from: 0x2028, to: 0x2029 },
  { from: 0x202f, to: 0x202f },
  { from: 0x205f, to: 0x205f },
  { from: 0x3000, to: 0x3000 },
  { from: 0xfeff, to: 0xfeff },
];
const DIGIT: readonly ClassItem[] = [{ from: 0x30, to: 0x39 }];
const WORD: readonly ClassItem[] = [
  { from: 0x30, to: 0x39 },
  { from: 0x41, to: 0x5a },
  { from: 0x5f, to: 0x5f },
  { from: 0x61, to: 0x7a },
];
const NAMED: Record<string, readonly ClassItem[]> = { s: SPACE_RANGES, d: DIGIT, w: WORD };
const CONTROL: Record<string, number> = { t: 0x09, n: 0x0a, v: 0x0b, f: 0x0c, r: 0x0d };
const META = new Set('\\^$.|?*+()[]{}');

export class PatternError extends Error {}

export interface Pattern {
  source: string;
  /** The parsed form, for the compilers. */
  readonly alts: Node[][];
  /** Whether any literal or class names an upper-case ASCII letter (never matches a lower-cased view). */
  readonly hasUpper: boolean;
}

/** Parses and checks a pattern; throws PatternError on anything outside the language. */
export function pattern(source: string): Pattern {
  const p = new Parser(source);
  const alts = p.alternatives();
  if (p.i < source.length) p.fail(`unexpected "${source[p.i]}"`);
  return { source, alts, hasUpper: p.upper };
}

class Parser {
  i = 0;
  upper = false;
  constructor(private readonly s: string) {}

  fail(why: string): never {
    throw new PatternError(`pattern /${this.s}/ at ${this.i}: ${why}`);
  }

  alternatives(): Node[][] {
    const alts: Node[][] = [this.sequence()];
    while (this.s[this.i] === '|') {
      this.i++;
      alts.push(this.sequence());
    }
    return alts;
  }

  private sequence(): Node[] {
    const seq: Node[] = [];
    while (this.i < this.s.length && this.s[this.i] !== '|' && this.s[this.i] !== ')') {
      const atom = this.atom();
      seq.push(this.quantified(atom));
    }
    return seq;
  }

  private quantified(node: Node): Node {
    const c = this.s[this.i];
    let min: number;
    let max: number | null;
    if (c === '*') [min, max] = [0, null];
    else if (c === '+') [min, max] = [1, null];
    else if (c === '?') [min, max] = [0, 1];
    else if (c === '{') {
      const m = /^\{(\d{1,3})(,(\d{0,3}))?\}/.exec(this.s.slice(this.i));
      if (!m) this.fail('bad {n,m}');
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? null : Number(m[3]);
      if (max !== null && max < min) this.fail('{n,m} with m < n');
      this.i += m[0].length - 1;
    } else return node;
    this.i++;
    if (node.t === 'start' || node.t === 'end') this.fail('quantified anchor');
    const next = this.s[this.i];
    if (next === '?' || next === '+' || next === '*' || next === '{') this.fail('lazy or stacked quantifier');
    return { t: 'repeat', node, min, max };
  }

  private atom(): Node {
    const c = this.s[this.i] as string;
    if (c === '(') {
      this.i++;
      const capture = !this.s.startsWith('?:', this.i);
      if (!capture) this.i += 2;
      else if (this.s[this.i] === '?') this.fail('only (?:...) groups');
      const alts = this.alternatives();
      if (this.s[this.i] !== ')') this.fail('unclosed group');
      this.i++;
      return { t: 'group', alts, capture };
    }
    if (c === '[') return this.klass();
    if (c === '^') {
      this.i++;
      return { t: 'start' };
    }
    if (c === '$') {
      this.i++;
      return { t: 'end' };
    }
    if (c === '.') this.fail('"." means different things in RE2 and JavaScript: write the class');
    if (c === '\\') {
      const e = this.escape();
      return typeof e === 'number' ? { t: 'lit', cp: e } : { t: 'class', negated: false, items: [...e] };
    }
    if (META.has(c)) this.fail(`"${c}" must be escaped`);
    return { t: 'lit', cp: this.literal() };
  }

  private literal(): number {
    const cp = this.s.codePointAt(this.i) as number;
    if (cp < 0x20 || cp > 0x7e) this.fail('non-ASCII or control literal: use \\uXXXX');
    if (cp >= 0x41 && cp <= 0x5a) this.upper = true;
    this.i++;
    return cp;
  }

  /** After a backslash: a code point, or a named class. */
  private escape(): number | readonly ClassItem[] {
    this.i++;
    const c = this.s[this.i];
    if (c === undefined) this.fail('trailing backslash');
    this.i++;
    if (c in NAMED) return NAMED[c] as readonly ClassItem[];
    if (c in CONTROL) return CONTROL[c] as number;
    if (c === 'u') {
      const hex = this.s.slice(this.i, this.i + 4);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('\\u takes 4 hex digits');
      this.i += 4;
      const cp = Number.parseInt(hex, 16);
      if (cp >= 0xd800 && cp <= 0xdfff) this.fail('surrogate code point');
      return cp;
    }
    const cp = c.charCodeAt(0);
    if (cp > 0x7e || /[A-Za-z0-9]/.test(c)) this.fail(`unknown escape \\${c}`);
    return cp;
  }

  private klass(): Node {
    this.i++;
    let negated = false;
    if (this.s[this.i] === '^') {
      negated = true;
      this.i++;
    }
    const items: ClassItem[] = [];
    let first = true;
    while (this.s[this.i] !== ']' || first) {
      if (this.i >= this.s.length) this.fail('unclosed class');
      first = false;
      const from = this.classAtom();
      if (typeof from !== 'number') {
        items.push(...from);
        continue;
      }
      if (this.s[this.i] === '-' && this.s[this.i + 1] !== ']' && this.i + 1 < this.s.length) {
        this.i++;
        const to = this.classAtom();
        if (typeof to !== 'number' || to < from) this.fail('bad range');
        items.push({ from, to });
      } else items.push({ from, to: from });
    }
    this.i++;
    if (items.length === 0) this.fail('empty class');
    return { t: 'class', negated, items };
  }

  private classAtom(): number | readonly ClassItem[] {
    const c = this.s[this.i];
    if (c === '\\') return this.escape();
    if (c === '[') this.fail('"[" in a class must be escaped');
    return this.literal();
  }
}

export type RegexDialect = 'js' | 'sql';

const hex = (cp: number) => cp.toString(16).toUpperCase().padStart(2, '0');
const isAlnum = (cp: number) =>
  (cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a);

/** One character in a pattern's text for the dialect: letters and digits as they are, the rest escaped by code. */
function char(cp: number, d: RegexDialect): string {
  if (isAlnum(cp)) return String.fromCodePoint(cp);
  return d === 'js' ? `\\u{${hex(cp)}}` : `\\x{${hex(cp)}}`;
}

function emitNode(n: Node, d: RegexDialect): string {
  switch (n.t) {
    case 'lit':
      return char(n.cp, d);
    case 'start':
      return d === 'js' ? '^' : '\\A';
    case 'end':
      return d === 'js' ? '$' : '\\z';
    case 'class': {
      const body = n.items
        .map((r) => (r.from === r.to ? char(r.from, d) : `${char(r.from, d)}-${char(r.to, d)}`))
        .join('');
      return `[${n.negated ? '^' : ''}${body}]`;
    }
    case 'group':
      return `(${n.capture ? '' : '?:'}${n.alts.map((a) => a.map((x) => emitNode(x, d)).join('')).join('|')})`;
    case 'repeat': {
      const inner = emitNode(n.node, d);
      const q =
        n.min === 0 && n.max === null
          ? '*'
          : n.min === 1 && n.max === null
            ? '+'
            : n.min === 0 && n.max === 1
              ? '?'
              : n.max === null
                ? `{${n.min},}`
                : n.min === n.max
                  ? `{${n.min}}`
                  : `{${n.min},${n.max}}`;
      return `${inner}${q}`;
    }
  }
}

/** The pattern's text in a dialect (JavaScript: to be used with the `u` flag only). */
export function emitPattern(p: Pattern, d: RegexDialect): string {
  return p.alts.map((a) => a.map((x) => emitNode(x, d)).join('')).join('|');
}

/** The JavaScript RegExp (flag `u`, nothing else). */
export function toRegExp(p: Pattern): RegExp {
  return new RegExp(emitPattern(p, 'js'), 'u');
}
