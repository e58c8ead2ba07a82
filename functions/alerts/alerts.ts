import { DEFAULT_CONFIG } from '../../schemas/config.js';
import { alertWindowEnd, buildAlertInput } from '../../src/notify/alert-data.js';
import { type AlertsRunResult, runAlerts } from '../../src/notify/run-alerts.js';
import { DEFAULT_SPIKE_CONFIG, detectAlerts } from '../../src/notify/spikes.js';
import type { ChangeRecord } from '../../src/waf/audit.js';
import { type History, readHistory } from '../digest/history.js';
import type { NotifyDeps } from '../digest/wiring.js';

/**
 * The alerts function's work, dependencies passed in: one check of the last window. The change
 * history (`deps.audit`, S3 in the cloud, unless `changes` are given) says which suggestions are
 * applied and which overrides to check for blocks they should have stopped.
 */
export async function alertsOnce(
  deps: Pick<NotifyDeps, 'engine' | 'store' | 'delivery' | 'audit'>,
  options: {
    now: Date;
    timeZone: string;
    intervalMinutes: number;
    bucketMinutes: number;
    windowHours: number;
    changes?: readonly ChangeRecord[];
  },
): Promise<AlertsRunResult & { history: History }> {
  const history = await readHistory(deps.audit, options.changes);
  const checkBuckets = Math.max(1, Math.round(options.intervalMinutes / options.bucketMinutes));
  const spike = { ...DEFAULT_SPIKE_CONFIG, bucketMinutes: options.bucketMinutes, checkBuckets };
  const buckets = Math.round((options.windowHours * 60) / options.bucketMinutes) + checkBuckets;
  const toTs = alertWindowEnd(options.now.getTime(), options.bucketMinutes);
  const { input } = await buildAlertInput({
    engine: deps.engine,
    toTs,
    config: DEFAULT_CONFIG,
    spike,
    buckets,
    changes: history.records,
    fallbackCommand: `waftune suggest --engine athena --since ${options.windowHours}h`,
  });
  const result = await runAlerts({
    alerts: detectAlerts(input, spike),
    store: deps.store,
    delivery: deps.delivery,
    now: options.now,
    timeZone: options.timeZone,
  });
  return {
    ...result,
    warnings: [...(history.problem ? [history.problem] : []), ...result.warnings],
    history,
  };
}
