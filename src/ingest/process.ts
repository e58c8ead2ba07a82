import type { WafEvent } from '../../schemas/event.js';
import { wafLogRecordSchema } from '../../schemas/waf-log.js';
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

export function processRecord(value: unknown): ProcessResult {
  const parsed = wafLogRecordSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'record';
    return { ok: false, reason: `not a WAF log record: ${where}: ${issue?.message ?? 'invalid'}` };
  }
  try {
    return { ok: true, event: classifyRequest(normalize(parsed.data)) };
  } catch (error) {
    return { ok: false, reason: `could not normalize: ${(error as Error).message.slice(0, 120)}` };
  }
}
