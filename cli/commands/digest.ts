import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { createAthenaEngine, defaultAthenaNames } from '../../adapters/athena.js';
import { loadLocal } from '../../src/analyze/local.js';
import { ALL_TIME, parseDuration, windowParams } from '../../src/analyze/window.js';
import type { QueryEngine } from '../../src/engines/query-engine.js';
import { botDelivery, type Delivery, webhookDelivery } from '../../src/notify/deliver.js';
import { declinedCounts } from '../../src/notify/digest-blocks.js';
import { buildDigestData } from '../../src/notify/digest-data.js';
import { formatCount, formatTime, isValidTimeZone, trend } from '../../src/notify/format.js';
import { type ReportSink, runDigest } from '../../src/notify/run-digest.js';
import { loadDigestState, STATE_KEYS } from '../../src/notify/state.js';
import { FileStateStore } from '../../src/notify/state-store.js';
import { terminalSafe } from '../../src/text/terminal.js';
import { loadConfig } from '../config.js';
import { EXIT, UsageError } from '../exit.js';
import { SLACK_ENV, SOURCE_ENV, WAF_ENV, withHelp } from '../help.js';
import { addCommonOptions, applyAwsOptions, type CommonOptions, engineOption } from '../options.js';
import { resolveSources } from '../sources.js';
import { ensureWritableStateDir } from '../state-dir.js';
import { accountIds, addAccountFilter } from './fleet.js';
import { type AuditOptions, addAuditOption, auditStore, readDecisions } from './waf-shared.js';

/**
 * `waftune digest <source>... [--slack-webhook URL] [--html FILE]`: the last day as a Slack
 * message and a self-contained HTML report. Also the wiring `waftune watch` shares (engine, Slack
 * delivery, state directory).
 */

export interface NotifyCommandOptions extends CommonOptions, AuditOptions {
  engine: string;
  slackWebhook?: string;
  slackChannel?: string;
  timeZone: string;
  stage: string;
  athenaWorkgroup?: string;
  athenaDatabase?: string;
}

export interface DigestOptions extends NotifyCommandOptions {
  html?: string;
  to?: string;
  /** `--account`: only these accounts' web ACLs (ids, or names from the fleet file). */
  account?: string[];
}

const HOUR = 3_600_000;

export function addNotifyOptions(cmd: Command): Command {
  return addAuditOption(
    addCommonOptions(
      cmd
        .option('--slack-webhook <url>', 'Slack incoming webhook (default: $WAFTUNE_SLACK_WEBHOOK_URL)')
        .option(
          '--slack-channel <id>',
          'post with a bot token ($WAFTUNE_SLACK_BOT_TOKEN) to this channel instead, so alert follow-ups thread',
        )
        .option('--time-zone <zone>', 'IANA time zone for the times shown', process.env.TZ || 'UTC')
        .addOption(engineOption())
        .option('--stage <stage>', 'stage of the deployed stack, for the Athena names', 'dev')
        .option('--athena-workgroup <name>', 'Athena workgroup (default waftune-<stage>)')
        .option('--athena-database <name>', 'Glue database (default waftune_<stage>)'),
    ),
  );
}

/** Slack delivery from the options and the environment: a bot token threads, a webhook cannot. */
export function slackDelivery(options: NotifyCommandOptions): Delivery | null {
  const token = process.env.WAFTUNE_SLACK_BOT_TOKEN;
  const channel = options.slackChannel ?? process.env.WAFTUNE_SLACK_CHANNEL;
  if (token && channel)
    return botDelivery({
      token,
      channel,
      ...(process.env.WAFTUNE_SLACK_API_URL ? { apiUrl: process.env.WAFTUNE_SLACK_API_URL } : {}),
    });
  if (options.slackChannel && !token)
    throw new UsageError('--slack-channel needs a bot token in WAFTUNE_SLACK_BOT_TOKEN');
  const url = options.slackWebhook ?? process.env.WAFTUNE_SLACK_WEBHOOK_URL;
  if (!url) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError('the Slack webhook is not a URL');
  }
  // A webhook URL is a secret: plain http only to this machine (tests, a local relay).
  const local =
    parsed.hostname === '127.0.0.1' || parsed.hostname === 'localhost' || parsed.hostname === '[::1]';
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && local)) {
    throw new UsageError('the Slack webhook must be an https:// URL');
  }
  return webhookDelivery(url);
}

export interface OpenedEngine {
  engine: QueryEngine;
  rejected: number;
  /** End of the data (ms, exclusive) for local files; null on Athena (the data runs up to now). */
  dataEnd: number | null;
  close(): Promise<void>;
}

export async function openEngine(
  sources: readonly string[],
  options: NotifyCommandOptions,
  sinceMs?: number,
  accounts?: readonly string[],
): Promise<OpenedEngine> {
  if (options.engine === 'athena') {
    applyAwsOptions(options);
    const names = defaultAthenaNames(options.stage);
    const engine = createAthenaEngine({
      workGroup: options.athenaWorkgroup ?? names.workGroup,
      database: options.athenaDatabase ?? names.database,
      ...(accounts?.length ? { accounts } : {}),
    });
    return { engine, rejected: 0, dataEnd: null, close: () => engine.close() };
  }
  if (options.engine !== 'duckdb') throw new UsageError(`--engine ${options.engine}: use duckdb or athena`);
  if (sources.length === 0)
    throw new UsageError('name the log files or folders (or s3://bucket/prefix, cwl://log-group) to read');
  applyAwsOptions(options);
  const resolved = await resolveSources(sources, sinceMs === undefined ? {} : { sinceMs });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const load = await loadLocal(resolved.paths, {
    rejectsFile: join(options.stateDir, 'rejects', `${stamp}.jsonl`),
    ...(accounts?.length ? { accounts } : {}),
    streams: resolved.streams,
  }).finally(() => {
    // Loaded (or failed): the downloaded copies are no longer needed.
    resolved.close();
  });
  const span = await load.engine
    .run<{ last_ts: number | null }>('window', windowParams(ALL_TIME))
    .catch(async (error: unknown) => {
      await load.close();
      throw error;
    });
  const last = span.rows[0]?.last_ts ?? null;
  return {
    engine: load.engine,
    rejected: load.rejects.total,
    dataEnd: last === null ? null : last + 1,
    // The load's close: the engine and the run's work folder (its DuckDB file and spill files).
    close: () => load.close(),
  };
}

export function checkTimeZone(zone: string): string {
  if (!isValidTimeZone(zone))
    throw new UsageError(`--time-zone ${zone}: not an IANA time zone (e.g. Europe/Berlin, UTC)`);
  return zone;
}

/** The day to report: ending at --to, or at the end of the local data (rounded up to the hour), or now. */
function digestEnd(options: DigestOptions, dataEnd: number | null): number {
  if (options.to) {
    const at = Date.parse(options.to);
    if (Number.isNaN(at))
      throw new UsageError(`--to ${options.to}: not a date and time (e.g. 2025-05-02T08:00:00+02:00)`);
    return at;
  }
  const end = dataEnd ?? Date.now();
  return Math.ceil(end / HOUR) * HOUR;
}

function fileSink(htmlFile: string | undefined, stateDir: string): ReportSink {
  return {
    async save(name, html) {
      const path = resolve(htmlFile ?? join(stateDir, 'reports', name));
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, html);
      // A local file has no link Slack readers could open.
      return { location: path, url: null };
    },
  };
}

/** What digest and watch read from the environment. */
export const NOTIFY_ENV = [
  ...SOURCE_ENV,
  ...SLACK_ENV,
  ...WAF_ENV.filter((v) => v.name === 'WAFTUNE_AUDIT_URL'),
];

export function register(program: Command): void {
  const cmd = addNotifyOptions(
    addAccountFilter(program.command('digest'))
      .description('the last day as a Slack message and a self-contained HTML report with charts')
      .argument(
        '[source...]',
        'log files or folders, s3://bucket/prefix or cwl://log-group (none with --engine athena)',
      )
      .option('--html <file>', 'where to write the HTML report (default <state-dir>/reports/)')
      .option('--to <time>', 'end of the day to report (default: end of the data, or now on Athena)'),
  ).action(async (sources: string[], options: DigestOptions) => {
    const zone = checkTimeZone(options.timeZone);
    const delivery = slackDelivery(options);
    ensureWritableStateDir(options.stateDir, 'point --state-dir at a folder this user can write');
    const config = loadConfig(options.config);
    const accounts = accountIds(config, options.account);
    // Eight days: the day and the seven before it, for the trend.
    const opened = await openEngine(sources, options, 8 * 24 * HOUR + parseDuration('1h'), accounts);
    const store = new FileStateStore(options.stateDir);
    try {
      const toTs = digestEnd(options, opened.dataEnd);
      const { data } = await buildDigestData({
        engine: opened.engine,
        toTs,
        timeZone: zone,
        now: new Date(),
        config,
        changes: await auditStore(options).list(),
        decisions: await readDecisions(options),
        lastDigestAt: (await loadDigestState(store)).value.lastDigestAt,
      });
      const result = await runDigest({
        data,
        store,
        report: fileSink(options.html, options.stateDir),
        delivery,
        now: new Date(),
      });
      if (options.json) {
        process.stdout.write(
          `${JSON.stringify({ digest: data, slack: result.message, delivery: { ...result, message: undefined } }, null, 2)}\n`,
        );
      } else {
        const t = data.totals;
        const v = t.blockedByVerdict;
        const lines = [
          `waftune digest ${result.day} (${formatTime(data.window.from, zone)} – ${formatTime(data.window.to, zone)} ${zone})`,
          `  blocked ${formatCount(t.blocked)} of ${formatCount(t.requests)} requests (${trend(t.blocked, data.previous7DayAverage.blocked, data.previousDays).text})`,
          `  likely false positives ${formatCount(v['likely-false-positive'])} · likely attacks ${formatCount(v['likely-attack'])} · uncertain ${formatCount(v.uncertain)} · not classified ${formatCount(v.unclassified)}`,
          `  ${formatCount(data.fpCandidates.length)} false-positive candidates, ${formatCount(data.attackSources.length)} attack sources, ` +
            `${formatCount(data.pendingSuggestions.length)} pending suggestions${declinedCounts(data) ? ` (${declinedCounts(data)})` : ''}, ${formatCount(data.appliedChanges.length)} changes applied since the last digest`,
          `  report: ${terminalSafe(result.report?.location ?? 'not written', 500)}`,
          delivery === null
            ? '  slack: not configured (--slack-webhook or WAFTUNE_SLACK_WEBHOOK_URL)'
            : result.delivered
              ? `  slack: sent (${result.attempts} attempt${result.attempts === 1 ? '' : 's'})${result.resent ? `, and ${result.resent} earlier undelivered` : ''}`
              : `  slack: NOT SENT, kept in ${terminalSafe(store.locate(STATE_KEYS.outbox), 500)} for the next run`,
          ...result.errors.map((e) => `  error: ${terminalSafe(e, 500)}`),
          ...result.warnings.map((w) => `  warning: ${terminalSafe(w, 500)}`),
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
      }
      process.exitCode =
        delivery !== null && !result.delivered ? EXIT.failed : opened.rejected > 0 ? EXIT.partial : EXIT.ok;
    } finally {
      await opened.close();
    }
  });
  withHelp(
    cmd,
    [
      'waftune digest ./logs --html digest.html',
      'WAFTUNE_SLACK_WEBHOOK_URL=https://hooks.slack.com/services/... waftune digest s3://my-waf-logs/AWSLogs/',
      'waftune digest --engine athena --stage prod --time-zone Europe/Berlin',
    ],
    NOTIFY_ENV,
  );
}
