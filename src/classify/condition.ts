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

const VIEWS: Record<View, (s: string) => string> = {
  raw: (s) => s,
  lower: lowerAscii,
  'decoded-lower': (s) => lowerAscii(percentDecode(s)),
};

/**
 * One view function per (field, view), shared by every compiled condition and remembering its
 * last input: the signals read the same few views of one event one after another, so each is
 * computed once per event instead of once per test. (Pure functions: a remembered answer is the
 * answer.)
 */
const SHARED_VIEWS = new Map<string, (s: string) => string>();
function sharedView(field: TextField, view: View): (s: string) => string {
  if (view === 'raw') return VIEWS.raw;
  const key = `${field}:${view}`;
  let f = SHARED_VIEWS.get(key);
  if (!f) {
    const compute = VIEWS[view];
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

/** The TypeScript predicate. */
export function compileTs(c: Condition): Predicate {
  if ('all' in c) {
    const ps = c.all.map(compileTs);
    return (e) => ps.every((p) => p(e));
  }
  if ('any' in c) {
    const ps = c.any.map(compileTs);
    return (e) => ps.some((p) => p(e));
  }
  if ('not' in c) {
    const p = compileTs(c.not);
    return (e) => !p(e);
  }
  if ('flag' in c) {
    const f = c.flag;
    return (e) => e[f] === true;
  }
  if ('isNull' in c) {
    const f = c.isNull;
    return (e) => e[f] === null;
  }
  if ('list' in c) {
    const { list, anyStartsWith } = c;
    return (e) => e[list].some((v) => v.startsWith(anyStartsWith));
  }
  const f = c.field;
  const view = sharedView(f, c.view ?? 'raw');
  let test: (s: string) => boolean;
  if ('equals' in c) {
    const v = c.equals;
    test = (s) => s === v;
  } else if ('in' in c) {
    const set = new Set(c.in);
    test = (s) => set.has(s);
  } else if ('startsWith' in c) {
    const v = c.startsWith;
    test = (s) => s.startsWith(v);
  } else {
    checkView(c);
    test = sharedTest(c.matches);
  }
  return (e) => {
    const s = e[f];
    return s !== null && test(view(s));
  };
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
