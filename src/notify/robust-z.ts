/**
 * Robust z-score of a count against a baseline of counts: (x − median) / scale, where scale is
 * 1.4826 × MAD (the MAD of a normal sample times 1.4826 estimates its standard deviation), floored
 * by √median (the Poisson noise of a count that size) and by 1. The floors matter: WAF block counts
 * per (site, rule, path) are mostly 0 with the odd 1, where the MAD is 0 and a bare MAD z-score
 * would call every single request a spike.
 */

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export interface RobustZ {
  median: number;
  mad: number;
  scale: number;
  z: number;
}

export function robustZ(value: number, baseline: readonly number[]): RobustZ {
  const m = median(baseline);
  const mad = median(baseline.map((v) => Math.abs(v - m)));
  const scale = Math.max(1.4826 * mad, Math.sqrt(m), 1);
  return { median: m, mad, scale, z: (value - m) / scale };
}
