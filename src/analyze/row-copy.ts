/**
 * Copies rows of one shape, each with two more fields, into object literals of a fixed shape. A
 * spread with more properties after it (`{ ...row, a, b }`) of the 34 columns of
 * blocked_groups.sql took 6-7 µs and 1,496 bytes of heap a row, this about 0.5 µs and 512 bytes:
 * 0.3 s and about 68 MB at 4x (69k groups).
 * The keys are the sample row's own (a query's column names), written into the function as JSON
 * string literals; a row of any other shape is spread (and every row when a key is `__proto__`,
 * which a literal would take as the prototype).
 */
export function rowCopier<R extends object, A extends string, B extends string>(
  sample: R,
  a: A,
  b: B,
): <VA, VB>(row: R, va: VA, vb: VB) => R & Record<A, VA> & Record<B, VB> {
  const keys = Object.keys(sample).filter((k) => k !== a && k !== b);
  const fields = keys.map((k) => `${JSON.stringify(k)}: r[${JSON.stringify(k)}]`);
  const literal = new Function(
    'r',
    'va',
    'vb',
    `return {${[...fields, `${JSON.stringify(a)}: va`, `${JSON.stringify(b)}: vb`].join(', ')}};`,
  ) as (row: R, va: unknown, vb: unknown) => never;
  const spread = (row: R, va: unknown, vb: unknown) => ({ ...row, [a]: va, [b]: vb }) as never;
  if (keys.includes('__proto__')) return spread;
  const sameShape = (row: R) => {
    let i = 0;
    for (const k in row) if (keys[i++] !== k) return false;
    return i === keys.length;
  };
  return (row, va, vb) => (sameShape(row) ? literal(row, va, vb) : spread(row, va, vb));
}
