/**
 * A small HCL writer: attributes, blocks and comments, with every string a quoted template
 * literal escaped so that nothing from a log (paths, hosts, header values) can end the string,
 * start a template sequence or reach a terminal as a control character. Hand-written: the npm
 * HCL libraries parse (tests use one) but none writes HCL.
 */

import { UNSAFE_CHARS } from './waf-json.js';

export type HclValue = string | number | boolean | readonly HclValue[] | HclExpression | HclObject;
export interface HclExpression {
  expression: string;
}
export interface HclObject {
  object: ReadonlyArray<readonly [string, HclValue]>;
}

export type HclItem =
  | { kind: 'attribute'; name: string; value: HclValue }
  | { kind: 'block'; type: string; labels?: readonly string[]; body: HclItem[] }
  | { kind: 'comment'; text: string };

export const attribute = (name: string, value: HclValue): HclItem => ({ kind: 'attribute', name, value });
export const block = (type: string, body: HclItem[], labels?: readonly string[]): HclItem => ({
  kind: 'block',
  type,
  body,
  ...(labels ? { labels } : {}),
});
export const comment = (text: string): HclItem => ({ kind: 'comment', text });

const UNSAFE = UNSAFE_CHARS;

/** A quoted HCL string whose value is exactly `text` (no interpolation, no directive). */
export function hclString(text: string): string {
  const escaped = text
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    // Function replacements: in a replacement string `$$` would mean one `$`.
    .replace(/\$\{/g, () => '$${')
    .replace(/%\{/g, () => '%%{')
    .replace(UNSAFE, (c) => {
      if (c === '\n') return '\\n';
      if (c === '\r') return '\\r';
      if (c === '\t') return '\\t';
      return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
    });
  return `"${escaped}"`;
}

/** A comment line: whatever the text holds, it stays one line of plain characters. */
function commentLine(text: string): string {
  return `# ${text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}`;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

function value(v: HclValue, indent: string): string {
  if (typeof v === 'string') return hclString(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    const inner = `${indent}  `;
    return `[\n${v.map((x) => `${inner}${value(x, inner)},`).join('\n')}\n${indent}]`;
  }
  if ('expression' in (v as object)) return (v as HclExpression).expression;
  const entries = (v as HclObject).object;
  if (entries.length === 0) return '{}';
  const inner = `${indent}  `;
  const key = (k: string) => (IDENTIFIER.test(k) ? k : hclString(k));
  return `{\n${entries.map(([k, x]) => `${inner}${key(k)} = ${value(x, inner)}`).join('\n')}\n${indent}}`;
}

export function renderHcl(items: readonly HclItem[], indent = ''): string {
  const lines: string[] = [];
  const width = (run: HclItem[]) =>
    Math.max(0, ...run.map((i) => (i.kind === 'attribute' ? i.name.length : 0)));
  // Attributes next to each other line up their `=`, as `terraform fmt` does.
  let runWidth = 0;
  items.forEach((item, index) => {
    if (item.kind === 'attribute') {
      if (index === 0 || items[index - 1]?.kind !== 'attribute') {
        const run: HclItem[] = [];
        for (let j = index; j < items.length && items[j]?.kind === 'attribute'; j++)
          run.push(items[j] as HclItem);
        runWidth = width(run);
      }
      lines.push(`${indent}${item.name.padEnd(runWidth)} = ${value(item.value, indent)}`);
    } else if (item.kind === 'comment') {
      lines.push(`${indent}${commentLine(item.text)}`);
    } else {
      const labels = (item.labels ?? []).map((l) => ` ${hclString(l)}`).join('');
      if (item.body.length === 0) lines.push(`${indent}${item.type}${labels} {}`);
      else {
        lines.push(`${indent}${item.type}${labels} {`);
        lines.push(renderHcl(item.body, `${indent}  `));
        lines.push(`${indent}}`);
      }
    }
  });
  return lines.join('\n');
}
