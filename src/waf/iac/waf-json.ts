import type { Statement } from '../types.js';

/**
 * Facts about WAF's JSON (the wire form the plan keeps) that both IaC renderers need.
 */

/** How deep AND/OR/NOT statements nest in a statement (a plain match statement is 0). */
export function logicalDepth(s: Statement | undefined): number {
  if (!s) return 0;
  const children = [
    ...(s.AndStatement?.Statements ?? []),
    ...(s.OrStatement?.Statements ?? []),
    ...(s.NotStatement ? [s.NotStatement.Statement] : []),
  ];
  if (!s.AndStatement && !s.OrStatement && !s.NotStatement) return 0;
  return 1 + Math.max(0, ...children.map(logicalDepth));
}

/** A ByteMatch search string (base64 on the wire) as text, or undefined if its bytes are not UTF-8 text. */
export function searchText(base64: string): string | undefined {
  const bytes = Buffer.from(base64, 'base64');
  const text = bytes.toString('utf8');
  return Buffer.from(text, 'utf8').equals(bytes) ? text : undefined;
}

/** Every ByteMatch search string in a value, base64 as on the wire. */
export function searchStrings(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(searchStrings);
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) =>
      k === 'SearchString' && typeof v === 'string' ? [v] : searchStrings(v),
    );
  }
  return [];
}

/** C0 and C1 controls, DEL, line and paragraph separators, and bidi overrides/isolates. */
export const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** What JSON.stringify leaves raw in strings: DEL, C1 controls, separators, bidi controls. */
const UNSAFE_AFTER_JSON = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** JSON text whose strings carry no raw control, separator or bidi character (all as \uXXXX). */
export function safeJson(value: unknown, indent = 2): string {
  return JSON.stringify(value, null, indent).replace(
    UNSAFE_AFTER_JSON,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
