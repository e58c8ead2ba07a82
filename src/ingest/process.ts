import type { z } from 'zod';
import type { WafEvent } from '../../schemas/event.js';
import { type WafLogRecord, wafLogRecordSchema } from '../../schemas/waf-log.js';
import { isWafLogRecord } from '../../schemas/waf-log-fast.js';
import { classifyRequest } from '../classify/classify.js';
import { normalize } from './normalize.js';

export type ProcessResult = { ok: true; event: WafEvent } | { ok: false; reason: string };

/** One line of a WAF log -> a classified flat event, or why not. Never throws: the Lambda and the CLI share it. */
export function processRecordText(text: string): ProcessResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const trimmed = text.trim();
    const truncated = trimmed.startsWith('{') && !trimmed.endsWith('}');
    return {
      ok: false,
      reason: truncated ? 'truncated JSON line' : `not JSON (${(error as Error).message.slice(0, 120)})`,
    };
  }
  return processRecord(value);
}

/** zod's first issue, naming the field, as the reject's reason. */
export function notARecord(error: z.ZodError): string {
  const issue = error.issues[0];
  const where = issue?.path.length ? issue.path.join('.') : 'record';
  return `not a WAF log record: ${where}: ${issue?.message ?? 'invalid'}`;
}

/** A parsed JSON value -> a classified flat event, or why not. */
export function processRecord(value: unknown): ProcessResult {
  // The compiled check accepts exactly what zod accepts; zod runs only to name what is wrong.
  let record: WafLogRecord;
  if (isWafLogRecord(value)) {
    record = value;
  } else {
    const parsed = wafLogRecordSchema.safeParse(value);
    if (!parsed.success) return { ok: false, reason: notARecord(parsed.error) };
    // Unreachable while the two agree (the property test holds them so); zod's verdict stands.
    record = parsed.data;
  }
  try {
    return { ok: true, event: classifyRequest(normalize(record)) };
  } catch (error) {
    return { ok: false, reason: `could not normalize: ${(error as Error).message.slice(0, 120)}` };
  }
}
