import type { SqlValue } from '../engines/query-engine.js';

export interface TimeWindow {
  fromTs: number;
  /** Exclusive. */
  toTs: number;
}

const DAY = 86_400_000;

/** The bound parameters every query takes: the partition range and the exact time range. */
export function windowParams(w: TimeWindow): Record<string, SqlValue> {
  return {
    from_dt: new Date(w.fromTs).toISOString().slice(0, 10),
    to_dt: new Date(Math.max(w.fromTs, w.toTs - 1)).toISOString().slice(0, 10),
    from_ts: w.fromTs,
    to_ts: w.toTs,
  };
}

/** Everything from the Unix epoch to the far future: the window before the data's span is known. */
export const ALL_TIME: TimeWindow = { fromTs: 0, toTs: 4102444800000 };

/** `24h`, `90m`, `7d`, `2w` -> milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)$/i.exec(text.trim());
  if (!m) throw new Error(`not a duration: "${text}" (use e.g. 30m, 24h, 7d)`);
  const n = Number(m[1]);
  const unit = (m[2] ?? 'ms').toLowerCase();
  const factor: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: DAY, w: 7 * DAY };
  return n * (factor[unit] ?? 1);
}
