import { DEFAULT_CONFIG } from '../../schemas/config.js';
import { alertWindowEnd, buildAlertInput } from '../../src/notify/alert-data.js';
import { type AlertsRunResult, runAlerts } from '../../src/notify/run-alerts.js';
import { DEFAULT_SPIKE_CONFIG, detectAlerts } from '../../src/notify/spikes.js';
import type { ChangeRecord } from '../../src/waf/audit.js';
import type { NotifyDeps } from '../digest/wiring.js';

/** The alerts function's work, dependencies passed in: one check of the last window. */
export async function alertsOnce(
  deps: Pick<NotifyDeps, 'engine' | 'store' | 'delivery'>,
  options: {
    now: Date;
    timeZone: string;
    intervalMinutes: number;
    bucketMinutes: number;
    windowHours: number;
    changes?: readonly ChangeRecord[];
  },
): Promise<AlertsRunResult> {
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
    changes: options.changes ?? [],
    fallbackCommand: `waftune suggest --engine athena --since ${options.windowHours}h`,
  });
  return runAlerts({
    alerts: detectAlerts(input, spike),
    store: deps.store,
    delivery: deps.delivery,
    now: options.now,
    timeZone: options.timeZone,
  });
}
