import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import type { Alert } from '../../schemas/alert.js';
import { parseDuration } from '../../src/analyze/window.js';
import { alertWindowEnd, buildAlertInput } from '../../src/notify/alert-data.js';
import { formatCount, formatTime } from '../../src/notify/format.js';
import { runAlerts } from '../../src/notify/run-alerts.js';
import { DEFAULT_SPIKE_CONFIG, detectAlerts, ruleName, type SpikeConfig } from '../../src/notify/spikes.js';
import { FileStateStore } from '../../src/notify/state-store.js';
import { terminalSafe } from '../../src/text/terminal.js';
import { loadConfig } from '../config.js';
import { EXIT, UsageError } from '../exit.js';
import { withHelp } from '../help.js';
import { durationArg } from '../options.js';
import { stopGracefully } from '../signals.js';
import { ensureWritableStateDir } from '../state-dir.js';
import {
  addNotifyOptions,
  checkTimeZone,
  NOTIFY_ENV,
  type NotifyCommandOptions,
  openEngine,
  slackDelivery,
} from './digest.js';
import { auditStore, readDecisions } from './waf-shared.js';

/**
 * `waftune watch <source>... [--slack-webhook URL] [--interval 5m]`: every interval, the last
 * 6 hours in 5-minute buckets; false-positive spikes per site, rule and path and fleet-wide, and
 * overrides that did not stop their blocks, sent to Slack with dedup and cooldown kept in
 * `<state-dir>/alerts/state.json`. `--once` runs one check (for cron and CI).
 */

interface WatchOptions extends NotifyCommandOptions {
  interval: string;
  bucket: string;
  window: string;
  once?: boolean;
}

function spikeConfig(options: WatchOptions): { spike: SpikeConfig; buckets: number; intervalMs: number } {
  const intervalMs = parseDuration(options.interval);
  const bucketMs = parseDuration(options.bucket);
  const windowMs = parseDuration(options.window);
  if (bucketMs < 60_000 || bucketMs % 60_000 !== 0)
    throw new UsageError(`--bucket ${options.bucket}: whole minutes, at least 1m`);
  if (intervalMs < bucketMs)
    throw new UsageError(`--interval ${options.interval} is shorter than a bucket (${options.bucket})`);
  const checkBuckets = Math.max(1, Math.round(intervalMs / bucketMs));
  return {
    spike: { ...DEFAULT_SPIKE_CONFIG, bucketMinutes: bucketMs / 60_000, checkBuckets },
    buckets: Math.round(windowMs / bucketMs) + checkBuckets,
    intervalMs,
  };
}

function alertLine(a: Alert, zone: string): string {
  const where = [a.scope.host ?? 'all sites', ruleName(a.scope.ruleGroup, a.scope.ruleId), a.scope.path ?? '']
    .filter(Boolean)
    .map((x) => terminalSafe(x, 100))
    .join(' ');
  const stats =
    a.z === null
      ? `${formatCount(a.count)} blocks`
      : `${formatCount(a.count)} in ${a.bucketMinutes} min (median ${formatCount(a.baseline)}, z ${a.z})`;
  return `  ${a.kind} at ${formatTime(a.at, zone)}: ${where}: ${stats} → ${terminalSafe(a.command, 200)}`;
}

export function register(program: Command): void {
  const cmd = addNotifyOptions(
    program
      .command('watch')
      .description(
        'alert on false-positive spikes (per site, rule and path, and fleet-wide) and on overrides that did not work',
      )
      .argument(
        '[source...]',
        'log files or folders, s3://bucket/prefix or cwl://log-group (none with --engine athena)',
      )
      .option('--interval <duration>', 'how often to check', durationArg, '5m')
      .option('--bucket <duration>', 'bucket size of the series', durationArg, '5m')
      .option('--window <duration>', 'baseline the buckets are compared with', durationArg, '6h')
      .option('--once', 'check once and exit'),
  ).action(async (sources: string[], options: WatchOptions) => {
    const zone = checkTimeZone(options.timeZone);
    const delivery = slackDelivery(options);
    ensureWritableStateDir(options.stateDir, 'point --state-dir at a folder this user can write');
    const config = loadConfig(options.config);
    const { spike, buckets, intervalMs } = spikeConfig(options);
    const store = new FileStateStore(options.stateDir);
    const bucketMs = spike.bucketMinutes * 60_000;
    const fallbackCommand =
      options.engine === 'athena'
        ? `waftune suggest --engine athena --since ${options.window}`
        : `waftune suggest ${sources.map((s) => terminalSafe(s, 80)).join(' ')} --since ${options.window}`;

    const tick = async (): Promise<boolean> => {
      const opened = await openEngine(sources, options, buckets * bucketMs + 3_600_000);
      try {
        // Local files: up to the last complete bucket of the data; Athena: of the clock, less the delivery lag.
        const toTs =
          opened.dataEnd === null
            ? alertWindowEnd(Date.now(), spike.bucketMinutes)
            : Math.floor(opened.dataEnd / bucketMs) * bucketMs;
        const { input } = await buildAlertInput({
          engine: opened.engine,
          toTs,
          config,
          spike,
          buckets,
          changes: await auditStore(options).list(),
          decisions: await readDecisions(options),
          now: new Date(),
          fallbackCommand,
        });
        const alerts = detectAlerts(input, spike);
        const result = await runAlerts({ alerts, store, delivery, now: new Date(toTs), timeZone: zone });
        if (options.json) {
          process.stdout.write(
            `${JSON.stringify({ at: new Date(toTs).toISOString(), alerts, result: { ...result, actions: undefined, state: undefined } })}\n`,
          );
        } else {
          const head =
            `${formatTime(new Date(toTs).toISOString(), zone)} ${zone}: ${formatCount(alerts.length)} alert${alerts.length === 1 ? '' : 's'}` +
            (delivery
              ? ` · sent ${result.sent}, follow-ups ${result.followUps}, within cooldown ${result.suppressed}, back to normal ${result.resolved}, failed ${result.failed}`
              : ' · Slack not configured (--slack-webhook or WAFTUNE_SLACK_WEBHOOK_URL)');
          const lines = [
            head,
            ...alerts.map((a) => alertLine(a, zone)),
            ...result.errors.map((e) => `  error: ${terminalSafe(e, 300)}`),
          ];
          for (const w of result.warnings) lines.push(`  warning: ${terminalSafe(w, 300)}`);
          process.stdout.write(`${lines.join('\n')}\n`);
        }
        return result.failed === 0;
      } finally {
        await opened.close();
      }
    };

    if (options.once) {
      const ok = await tick();
      process.exitCode = ok ? EXIT.ok : EXIT.failed;
      return;
    }
    // SIGINT or SIGTERM: a check under way finishes (its alerts are sent and recorded), then the loop ends.
    const stop = stopGracefully();
    while (!stop.aborted) {
      const started = Date.now();
      try {
        await tick();
      } catch (error) {
        // A bad tick (a file mid-write, Athena throttling) must not end the watch.
        process.stderr.write(
          `waftune watch: ${terminalSafe(error instanceof Error ? error.message : String(error), 500)}\n`,
        );
      }
      if (stop.aborted) break;
      await sleep(Math.max(1000, intervalMs - (Date.now() - started)), undefined, { signal: stop }).catch(
        () => {},
      );
    }
  });
  withHelp(
    cmd,
    [
      'waftune watch ./logs --once',
      'waftune watch --engine athena --stage prod --interval 10m',
      'WAFTUNE_SLACK_WEBHOOK_URL=https://hooks.slack.com/services/... waftune watch s3://my-waf-logs/AWSLogs/',
    ],
    NOTIFY_ENV,
  );
}
