import { UNSAFE_CHARS } from './waf-json.js';

/**
 * A small YAML writer for CloudFormation: block mappings and sequences, every string a
 * double-quoted scalar (a JSON string, which YAML reads the same), so no value from a log can
 * become a tag, an anchor, a number, a key or a line break; control and bidi characters are
 * written as \uXXXX. Hand-written for that guarantee: YAML libraries choose the quoting style by
 * content.
 */

export type YamlValue =
  | string
  | number
  | boolean
  | null
  | readonly YamlValue[]
  | { [key: string]: YamlValue };

const PLAIN_KEY = /^[A-Za-z][A-Za-z0-9_:.-]*$/;

export function yamlString(text: string): string {
  return JSON.stringify(text).replace(
    UNSAFE_CHARS,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function key(k: string): string {
  return PLAIN_KEY.test(k) && !/^(true|false|null|yes|no|on|off|y|n)$/i.test(k) ? k : yamlString(k);
}

function scalar(v: string | number | boolean | null): string {
  if (typeof v === 'string') return yamlString(v);
  return v === null ? 'null' : String(v);
}

const isCollection = (v: YamlValue): v is readonly YamlValue[] | { [key: string]: YamlValue } =>
  v !== null && typeof v === 'object';

function empty(v: YamlValue): string | undefined {
  if (Array.isArray(v) && v.length === 0) return '[]';
  if (isCollection(v) && !Array.isArray(v) && Object.keys(v).length === 0) return '{}';
  return undefined;
}

export function renderYaml(value: YamlValue, indent = ''): string {
  if (!isCollection(value)) return `${indent}${scalar(value)}`;
  const lines: string[] = [];
  if (Array.isArray(value)) {
    for (const item of value) {
      const e = empty(item);
      if (!isCollection(item) || e) lines.push(`${indent}- ${e ?? scalar(item as string)}`);
      else {
        const inner = renderYaml(item, `${indent}  `);
        lines.push(`${indent}- ${inner.slice(indent.length + 2)}`);
      }
    }
    return lines.join('\n');
  }
  for (const [k, v] of Object.entries(value)) {
    const e = empty(v);
    if (!isCollection(v) || e) lines.push(`${indent}${key(k)}: ${e ?? scalar(v as string)}`);
    else lines.push(`${indent}${key(k)}:`, renderYaml(v, `${indent}  `));
  }
  return lines.join('\n');
}

export function yamlComment(text: string): string {
  return `# ${text.replace(UNSAFE_CHARS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}`;
}
