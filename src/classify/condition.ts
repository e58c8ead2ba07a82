import { lowerAscii, percentDecode } from './fold.js';
import { emitPattern, type Pattern, toRegExp } from './pattern.js';
import type { EventView } from './signal.js';
import { decodeSql, lowerSql, sqlString } from './sql-fold.js';

/**
 * The condition language request signals are written in (Sigma's way: detections as data). One
 * definition compiles to a TypeScript predicate (the Lambda, the exact reader) and to a SQL
 * expression (DuckDB locally, Trino on Athena); a differential test holds them equal.
 *
 * A test on a field that is null is false (so `not` of it is true), on every backend.
 */
export type FlagField = 'wp_session' | 'cookie_redacted';
export type ListField = 'labels' | 'cookie_names' | 'known_headers';
/** The text fields of an event that signals may read. */
export type TextField = Exclude<keyof EventView, FlagField | ListField>;

/** How a text field is seen: as stored, ASCII lower-cased, or percent-decoded then lower-cased. */
export type View = 'raw' | 'lower' | 'decoded-lower';

export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | { flag: FlagField }
  | { isNull: TextField }
  | { field: TextField; view?: View; equals: string }
  | { field: TextField; view?: View; in: readonly string[] }
  | { field: TextField; view?: View; startsWith: string }
  | { field: TextField; view?: View; matches: Pattern }
  | { list: ListField; anyStartsWith: string };

export const all = (...of: Condition[]): Condition => ({ all: of });
export const any = (...of: Condition[]): Condition => ({ any: of });
export const not = (c: Condition): Condition => ({ not: c });

type Predicate = (e: EventView) => boolean;

/**
 * One view function per (field, view), shared by every compiled condition and remembering its
 * last input: the signals read the same few views of one event one after another, so each is
 * computed once per event instead of once per test. (Pure functions: a remembered answer is the
 * answer.) A decoded view of a text that decoding leaves as it is takes the field's lower view,
 * already computed for the same text by then.
 */
const SHARED_VIEWS = new Map<string, (s: string) => string>();
function sharedView(field: TextField, view: Exclude<View, 'raw'>): (s: string) => string {
  const key = `${field}:${view}`;
  let f = SHARED_VIEWS.get(key);
  if (!f) {
    let compute: (s: string) => string = lowerAscii;
    if (view === 'decoded-lower') {
      const lower = sharedView(field, 'lower');
      compute = (s) => {
        const decoded = percentDecode(s);
        return decoded === s ? lower(s) : lowerAscii(decoded);
      };
    }
    let lastIn: string | null = null;
    let lastOut = '';
    f = (s) => {
      if (s !== lastIn) {
        lastOut = compute(s);
        lastIn = s;
      }
      return lastOut;
    };
    SHARED_VIEWS.set(key, f);
  }
  return f;
}

function checkView(c: { field: TextField; view?: View; matches: Pattern }): void {
  if ((c.view ?? 'raw') !== 'raw' && c.matches.hasUpper)
    throw new Error(`/${c.matches.source}/ names upper-case letters but runs on a lower-cased ${c.field}`);
}

/**
 * One test per pattern, remembering its last text: a signal that tests a field as sent and
 * percent-decoded runs the regex once where decoding changed nothing.
 */
const SHARED_TESTS = new Map<Pattern, (s: string) => boolean>();
function sharedTest(p: Pattern): (s: string) => boolean {
  let f = SHARED_TESTS.get(p);
  if (!f) {
    const re = toRegExp(p);
    let lastIn: string | null = null;
    let lastOut = false;
    f = (s) => {
      if (s !== lastIn) {
        lastOut = re.test(s);
        lastIn = s;
      }
      return lastOut;
    };
    SHARED_TESTS.set(p, f);
  }
  return f;
}

function anyStartsWith(list: readonly string[], prefix: string): boolean {
  for (let i = 0; i < list.length; i++) if ((list[i] as string).startsWith(prefix)) return true;
  return false;
}

/** Field names are the event's own keys (TextField and friends); anything else is refused. */
const FIELD_NAME = /^[a-z_]+$/;
const field = (name: string) => {
  if (!FIELD_NAME.test(name)) throw new Error(`not a field name: ${name}`);
  return `e.${name}`;
};
/** Lists up to this long are tested with `===` one after another, longer ones with a Set. */
const INLINE_IN = 4;

/**
 * The JavaScript expression of a condition over the event `e`, with its functions and sets in
 * `refs` (read as `r[i]`); `s` and `v` are scratch variables, each read right after it is set.
 */
function emitTs(c: Condition, refs: unknown[]): string {
  const ref = (x: unknown) => `r[${refs.push(x) - 1}]`;
  if ('all' in c) return c.all.length === 0 ? 'true' : `(${c.all.map((x) => emitTs(x, refs)).join(' && ')})`;
  if ('any' in c) return c.any.length === 0 ? 'false' : `(${c.any.map((x) => emitTs(x, refs)).join(' || ')})`;
  if ('not' in c) return `!${emitTs(c.not, refs)}`;
  if ('flag' in c) return `(${field(c.flag)} === true)`;
  if ('isNull' in c) return `(${field(c.isNull)} === null)`;
  if ('list' in c) return `${ref(anyStartsWith)}(${field(c.list)}, ${JSON.stringify(c.anyStartsWith)})`;
  const view = c.view ?? 'raw';
  const x = view === 'raw' ? 's' : `${ref(sharedView(c.field, view))}(s)`;
  let test: string;
  if ('equals' in c) test = `${x} === ${JSON.stringify(c.equals)}`;
  else if ('in' in c) {
    const values = [...new Set(c.in)];
    test =
      values.length === 0
        ? 'false'
        : values.length <= INLINE_IN
          ? `(v = ${x}, ${values.map((v) => `v === ${JSON.stringify(v)}`).join(' || ')})`
          : `${ref(new Set(values))}.has(${x})`;
  } else if ('startsWith' in c) test = `${x}.startsWith(${JSON.stringify(c.startsWith)})`;
  else {
    checkView(c);
    test = `${ref(sharedTest(c.matches))}(${x})`;
  }
  return `((s = ${field(c.field)}) !== null && ${test})`;
}

/**
 * The TypeScript predicate: compiled to one JavaScript function per condition (as
 * functions/transform/event-json.ts compiles the serializer), so a signal reads its fields by
 * name and calls its tests directly instead of walking a tree of closures that each read a field
 * by a variable key (four to five times slower on the transform's events). Only the condition's
 * structure, the event's field names and JSON-quoted constants become code; views, tests and sets
 * are passed in.
 */
export function compileTs(c: Condition): Predicate {
  const refs: unknown[] = [];
  const body = emitTs(c, refs);
  return new Function('r', `"use strict"; return function condition(e) { let s, v; return ${body}; };`)(
    refs,
  ) as Predicate;
}

/** How the SQL compiler names a view of a field: a column the caller computed once, or an expression. */
export type ViewRef = (field: TextField, view: View) => string;

/** Views computed inline: fine for a single use; the events view computes them once per row. */
export const inlineViews: ViewRef = (field, view) =>
  view === 'raw' ? field : view === 'lower' ? lowerSql(field) : lowerSql(decodeSql(field));

/** The (field, view) pairs a condition reads, to compute each once. */
export function viewsUsed(c: Condition, out = new Set<string>()): Set<string> {
  if ('all' in c) for (const x of c.all) viewsUsed(x, out);
  else if ('any' in c) for (const x of c.any) viewsUsed(x, out);
  else if ('not' in c) viewsUsed(c.not, out);
  else if ('field' in c && (c.view ?? 'raw') !== 'raw') out.add(`${c.field}:${c.view}`);
  return out;
}

/**
 * The SQL boolean expression, in the subset DuckDB and Trino share (DuckDB gets Trino's names
 * through src/engines/trino-macros.ts): never null, like the TypeScript predicate.
 */
export function compileSql(c: Condition, ref: ViewRef = inlineViews): string {
  if ('all' in c)
    return c.all.length === 0 ? 'TRUE' : `(${c.all.map((x) => compileSql(x, ref)).join(' AND ')})`;
  if ('any' in c)
    return c.any.length === 0 ? 'FALSE' : `(${c.any.map((x) => compileSql(x, ref)).join(' OR ')})`;
  if ('not' in c) return `(NOT ${compileSql(c.not, ref)})`;
  if ('flag' in c) return `coalesce(${c.flag}, FALSE)`;
  if ('isNull' in c) return `(${c.isNull} IS NULL)`;
  if ('list' in c)
    return `coalesce(cardinality(filter(${c.list}, x -> starts_with(x, ${sqlString(c.anyStartsWith)}))) > 0, FALSE)`;
  const x = ref(c.field, c.view ?? 'raw');
  let test: string;
  if ('equals' in c) test = `${x} = ${sqlString(c.equals)}`;
  else if ('in' in c) test = `${x} IN (${c.in.map(sqlString).join(', ')})`;
  else if ('startsWith' in c) test = `starts_with(${x}, ${sqlString(c.startsWith)})`;
  else {
    checkView(c);
    test = `regexp_like(${x}, ${sqlString(emitPattern(c.matches, 'sql'))})`;
  }
  return `coalesce(${test}, FALSE)`;
}
