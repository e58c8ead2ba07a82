/**
 * Generated block-count series with known spikes, for measuring the detector. Seeded, so every
 * run measures the same thing.
 */

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function poisson(lambda: number, random: () => number): number {
  if (lambda <= 0) return 0;
  if (lambda > 50) {
    // Normal approximation, good enough past 50 and fast.
    const u = Math.max(random(), 1e-12);
    const v = random();
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * z));
  }
  const limit = Math.exp(-lambda);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= random();
  } while (p > limit);
  return k - 1;
}

/** Gamma(shape, 1) by Marsaglia-Tsang (shape >= 1). */
function gamma(shape: number, random: () => number): number {
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const u1 = Math.max(random(), 1e-12);
    const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * random());
    const v = (1 + c * z) ** 3;
    if (v > 0 && Math.log(Math.max(random(), 1e-12)) < 0.5 * z * z + d - d * v + d * Math.log(v))
      return d * v;
  }
}

export interface GenOptions {
  buckets: number;
  /** Mean count per bucket. */
  rate: number;
  /** Daily swing (0.3: ±30%) over the window, like traffic following the day. */
  swing: number;
  /** Gamma-Poisson (overdispersed) with this shape; null for plain Poisson. */
  dispersion: number | null;
  /** Normal bursts in the baseline (buckets at 3-6x the rate): real traffic is bursty. */
  bursts: number;
}

export function generateCounts(o: GenOptions, random: () => number): number[] {
  const phase = random() * 2 * Math.PI;
  const burstAt = new Set(Array.from({ length: o.bursts }, () => Math.floor(random() * (o.buckets - 1))));
  return Array.from({ length: o.buckets }, (_, i) => {
    let lambda = o.rate * (1 + o.swing * Math.sin(phase + (2 * Math.PI * i) / 288));
    if (o.dispersion !== null) lambda *= gamma(o.dispersion, random) / o.dispersion;
    if (burstAt.has(i)) lambda *= 3 + 3 * random();
    return poisson(lambda, random);
  });
}
