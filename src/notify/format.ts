/** Number, trend and time formatting shared by the Slack and HTML renderers (plain text, not escaped). */

const INTEGER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function formatCount(n: number): string {
  return INTEGER.format(n);
}

/** "1 IP", "12 IPs". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

export function formatShare(share: number): string {
  return `${Math.round(share * 100)}%`;
}

export interface Trend {
  /** `up`/`down`/`flat` against the average; `new` when the average is 0; `none` without history. */
  direction: 'up' | 'down' | 'flat' | 'new' | 'none';
  /** Change in percent, rounded; null for `new`/`none`. */
  percent: number | null;
  text: string;
}

/** Today against the previous days' daily average, e.g. "▲ 23% vs 7-day avg 10,033". */
export function trend(current: number, average: number, days: number): Trend {
  if (days === 0) return { direction: 'none', percent: null, text: 'no history yet' };
  const label = `${days}-day avg ${formatCount(average)}`;
  if (average === 0) {
    return current === 0
      ? { direction: 'flat', percent: 0, text: `= ${label}` }
      : { direction: 'new', percent: null, text: `new (${label})` };
  }
  const percent = Math.round(((current - average) / average) * 100);
  if (percent === 0) return { direction: 'flat', percent, text: `= ${label}` };
  const arrow = percent > 0 ? '▲' : '▼';
  return {
    direction: percent > 0 ? 'up' : 'down',
    percent,
    text: `${arrow} ${Math.abs(percent)}% vs ${label}`,
  };
}

/** "before → after (−97%)" for an applied change. */
export function beforeAfter(before: number, after: number): string {
  const change =
    before === 0
      ? after === 0
        ? ''
        : ' (new)'
      : ` (${after >= before ? '+' : '−'}${Math.round((Math.abs(after - before) / before) * 100)}%)`;
  return `${formatCount(before)} → ${formatCount(after)}${change}`;
}

/** "2024-05-02 08:00" in the zone. Throws RangeError for an unknown zone (config validation catches it). */
export function formatTime(iso: string, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(iso));
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

export function formatDay(iso: string, timeZone: string): string {
  return formatTime(iso, timeZone).slice(0, 10);
}

export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** "AWS#AWSManagedRulesCommonRuleSet" -> "CommonRuleSet"-style short group name for one-line displays. */
export function shortGroup(ruleGroup: string | null): string | null {
  if (ruleGroup === null) return null;
  const arnName = /rulegroup\/([^/]+)/.exec(ruleGroup)?.[1];
  if (arnName) return arnName;
  const tail = ruleGroup.split(/[#/]/).pop() ?? ruleGroup;
  return tail.replace(/^AWSManagedRules/, '');
}
