import { describe, expect, it } from 'vitest';
import { rowCopier } from '../../src/analyze/row-copy.js';

const spread = (row: object, key: string, final: unknown) => ({ ...row, pathKey: key, final });

describe('rowCopier', () => {
  it('copies rows of the sample shape as a spread would, with the two fields last', () => {
    const rows = [
      { host: 'a.example', path: '/x', requests: 3, labels: ['l'], verdict: null },
      { host: 'b.example', path: '/y', requests: 1, labels: [], verdict: 'likely-attack' },
    ];
    const copy = rowCopier(rows[0] as (typeof rows)[number], 'pathKey', 'final');
    for (const row of rows) {
      const out = copy(row, 'k', { score: 1 });
      expect(out).toStrictEqual(spread(row, 'k', { score: 1 }));
      expect(Object.keys(out)).toEqual([...Object.keys(row), 'pathKey', 'final']);
      expect(out).not.toBe(row);
      expect(out.labels).toBe(row.labels);
    }
  });

  it('spreads a row of another shape: a missing, an extra or a reordered key', () => {
    const copy = rowCopier({ a: 1, b: 2 } as Record<string, unknown>, 'pathKey', 'final');
    for (const row of [{ a: 1 }, { a: 1, b: 2, c: 3 }, { b: 2, a: 1 }, { a: 1, c: 2 }, {}]) {
      const out = copy(row, 'k', 0);
      expect(out).toStrictEqual(spread(row, 'k', 0));
      expect(Object.keys(out)).toEqual([...Object.keys(row), 'pathKey', 'final']);
    }
  });

  it('writes any key name into its literal safely, and never takes `__proto__` as the prototype', () => {
    const odd = { 'a"b': 1, "c'd\\": 2, 'e\u2028f': 3, '${x}': 4, '}; throw 1; ({': 5 };
    const copy = rowCopier(odd, 'pathKey', 'final');
    expect(copy(odd, 'k', 0)).toStrictEqual(spread(odd, 'k', 0));
    const proto = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
    const out = rowCopier(proto, 'pathKey', 'final')(proto, 'k', 0) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__', 'a', 'pathKey', 'final']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('replaces fields of the two names that a row already has, as a spread does', () => {
    const row = { a: 1, pathKey: 'old', final: 'old' };
    const out = rowCopier(row, 'pathKey', 'final')(row, 'new', 'new');
    expect(out).toStrictEqual(spread(row, 'new', 'new'));
  });
});
