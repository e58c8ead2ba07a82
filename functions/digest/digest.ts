import { DEFAULT_CONFIG } from '../../schemas/config.js';
import { buildDigestData } from '../../src/notify/digest-data.js';
import { type DigestRunResult, runDigest } from '../../src/notify/run-digest.js';
import { loadDigestState } from '../../src/notify/state.js';
import type { ChangeRecord } from '../../src/waf/audit.js';
import { type History, readDecisionsFrom, readHistory } from './history.js';
import type { NotifyDeps } from './wiring.js';

/**
 * The digest function's work, with its dependencies passed in (tests give DuckDB, an in-memory
 * store and a local webhook). The day ends at the scheduled time, on the hour. The change history
 * comes from `deps.audit` (S3 in the cloud) unless `changes` are given.
 */
export async function digestOnce(
  deps: NotifyDeps,
  options: { now: Date; timeZone: string; changes?: readonly ChangeRecord[] },
): Promise<DigestRunResult & { history: History }> {
  const history = await readHistory(deps.audit, options.changes);
  const decisions = await readDecisionsFrom(deps.audit);
  const toTs = Math.floor(options.now.getTime() / 3_600_000) * 3_600_000;
  const { data } = await buildDigestData({
    engine: deps.engine,
    toTs,
    timeZone: options.timeZone,
    now: options.now,
    config: DEFAULT_CONFIG,
    changes: history.records,
    decisions: decisions.decisions,
    lastDigestAt: (await loadDigestState(deps.store)).value.lastDigestAt,
  });
  const result = await runDigest({
    data,
    store: deps.store,
    report: deps.report,
    delivery: deps.delivery,
    now: options.now,
  });
  return {
    ...result,
    warnings: [
      ...(history.problem ? [history.problem] : []),
      ...(decisions.problem ? [decisions.problem] : []),
      ...result.warnings,
    ],
    history,
  };
}
