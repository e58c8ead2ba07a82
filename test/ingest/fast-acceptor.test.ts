import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { compileAcceptor, OutputChangingSchemaError } from '../../schemas/fast-acceptor.js';
import { garbage, nearSchema } from '../support/near-schema.js';

/**
 * The compiler beyond today's WAF schema: the constructs a contract is likely to grow (enums,
 * literals, formats, strict objects, refinements, length limits counted as zod counts them), each
 * held equal to zod on values near the boundary; and the schemas whose parsed value is not the
 * input, which it must refuse.
 */

const zoo = z.object({
  kind: z.enum(['EXCLUDED_AS_COUNT', 'OTHER']),
  version: z.literal(1),
  flag: z.boolean().optional(),
  count: z.int(),
  small: z.number().int().min(-5).max(5).nullish(),
  ratio: z.number().gt(0).lt(1).optional(),
  id: z.string().min(2).max(4),
  exact: z.string().length(2).optional(),
  email: z.email().optional(),
  even: z
    .number()
    .refine((n) => n % 2 === 0)
    .optional(),
  tags: z.array(z.string()).min(1).max(3).nullable(),
  strict: z.strictObject({ a: z.string() }).optional(),
  loose: z.looseObject({ a: z.string() }).optional(),
  either: z.union([z.string(), z.array(z.number())]).optional(),
  tagged: z
    .discriminatedUnion('type', [
      z.object({ type: z.literal('a'), a: z.string() }),
      z.object({ type: z.literal('b'), b: z.number() }),
    ])
    .optional(),
  map: z.record(z.string(), z.number()).optional(),
  pair: z.tuple([z.string(), z.number()]).optional(),
  anything: z.unknown(),
  ro: z.readonly(z.object({ r: z.string() })).optional(),
});

describe('compileAcceptor', () => {
  const accepts = compileAcceptor(zoo);
  const same = (value: unknown): void => {
    expect(accepts(value)).toBe(zoo.safeParse(value).success);
  };

  it('agrees with zod on a schema of every construct it compiles or hands to zod', () => {
    fc.assert(fc.property(nearSchema(zoo), same), { numRuns: 1000 });
    fc.assert(fc.property(garbage, same), { numRuns: 300 });
  });

  it('agrees with zod on each construct alone (so one field failing does not hide another)', () => {
    for (const [key, field] of Object.entries(zoo.shape)) {
      const one = z.object({ [key]: field });
      const fast = compileAcceptor(one);
      fc.assert(
        fc.property(nearSchema(one), (value) => {
          expect(fast(value), `${key}: ${JSON.stringify(value)}`).toBe(one.safeParse(value).success);
        }),
        { numRuns: 300 },
      );
    }
  });

  it('counts string lengths as zod does (code points), surrogate pairs and lone halves alike', () => {
    const base = { kind: 'OTHER', version: 1, count: 1, tags: null, anything: 1 };
    for (const id of [
      'a',
      'ab',
      '😀',
      'a😀',
      '😀😀',
      '😀😀😀',
      'abcd',
      'abcde',
      '\ud800\ud800',
      '\ud800',
      'x\udc00',
    ])
      same({ ...base, id });
    for (const exact of ['ab', '😀😀', '😀', 'a', 'abc', '\ud83d\ude00x']) same({ ...base, id: 'ab', exact });
  });

  it('requires a key that is not optional even when its schema takes anything, as zod does', () => {
    same({ kind: 'OTHER', version: 1, count: 1, id: 'ab', tags: null });
    expect(compileAcceptor(z.object({ a: z.unknown() }))({})).toBe(
      z.object({ a: z.unknown() }).safeParse({}).success,
    );
  });

  it('refuses schemas whose parsed value differs from the input', () => {
    const changing = [
      z.object({ a: z.string().default('x') }),
      z.object({ a: z.string().transform((s) => s.length) }),
      z.object({ a: z.string().trim() }),
      z.object({ a: z.string().toLowerCase() }),
      z.object({ a: z.coerce.number() }),
      z.object({ a: z.string().catch('x') }),
      z.object({ a: z.preprocess((v) => v, z.string()) }),
      z.object({ a: z.string().pipe(z.string()) }),
      z.object({ a: z.record(z.string(), z.string().default('x')) }),
      z.object({ a: z.array(z.object({ b: z.number().prefault(1) })) }),
    ];
    for (const schema of changing) expect(() => compileAcceptor(schema)).toThrow(OutputChangingSchemaError);
  });
});
