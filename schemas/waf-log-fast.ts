import { compileAcceptor } from './fast-acceptor.js';
import { wafLogRecordSchema } from './waf-log.js';

/**
 * The hot path's check of a parsed WAF log line: true exactly when `wafLogRecordSchema.safeParse`
 * succeeds (test/ingest/waf-log-fast.property.test.ts holds the two equal). An accepted value is
 * handed on as it is, with its unknown keys: nothing downstream reads a field the schema does not
 * declare (the WafLogRecord type has none).
 */
export const isWafLogRecord = compileAcceptor(wafLogRecordSchema);
