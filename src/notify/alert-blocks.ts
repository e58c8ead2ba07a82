import type { Alert, AlertKind, AlertRecord } from '../../schemas/alert.js';
import { slackCode, slackText } from '../text/slack.js';
import { blockKitViolations, mrkdwn, plain, type SlackMessage } from './block-kit.js';
import { formatCount, formatTime } from './format.js';
import { ruleName } from './spikes.js';

/** Alerts -> Slack messages: a full one for a new alert, a short one for a threaded follow-up. */

const TITLES: Record<AlertKind, string> = {
  'fp-spike': 'False-positive spike',
  'fleet-spike': 'Fleet-wide false-positive spike',
  'override-ineffective': 'Applied override is not stopping the blocks',
  'new-rule-activity': 'A silent rule started blocking',
};

function scopeLine(alert: Alert): string {
  const s = alert.scope;
  const parts = [
    `*Site* ${s.host === null ? 'all sites' : slackCode(s.host, 100)}`,
    `*Rule* ${s.ruleId === null ? 'any rule' : slackCode(ruleName(s.ruleGroup, s.ruleId), 120)}`,
    ...(s.path === null ? [] : [`*Path* ${slackCode(s.path, 150)}`]),
  ];
  return parts.join('   ');
}

function fixLine(alert: Alert): string {
  return alert.suggestionId
    ? `*Fix* suggestion ${slackCode(alert.suggestionId, 60)}: ${slackCode(alert.command, 200)}`
    : `*Fix* no pending suggestion covers this yet: ${slackCode(alert.command, 200)}`;
}

function checked(message: SlackMessage): SlackMessage {
  const violations = blockKitViolations(message);
  if (violations.length > 0)
    throw new Error(`alert message breaks Block Kit limits: ${violations.join('; ')}`);
  return message;
}

export function alertMessage(
  alert: Alert,
  timeZone: string,
  reminderOf: AlertRecord | null = null,
): SlackMessage {
  const title = `${reminderOf ? 'Still going: ' : ''}${TITLES[alert.kind]}`;
  const stats =
    alert.z === null
      ? `${formatCount(alert.count)} blocks since ${formatTime(alert.at, timeZone)}`
      : `${formatCount(alert.count)} in ${alert.bucketMinutes} min from ${formatTime(alert.at, timeZone)} · median ${formatCount(alert.baseline)} · robust z ${alert.z}`;
  const context = [
    `${slackText(timeZone, 60)} · ${formatCount(alert.sites)} site${alert.sites === 1 ? '' : 's'}`,
    ...(alert.changeId ? [`change ${slackCode(alert.changeId, 60)}`] : []),
    ...(reminderOf
      ? [
          `first sent ${formatTime(reminderOf.firstSentAt, timeZone)}, ${formatCount(reminderOf.messages)} messages`,
        ]
      : []),
  ].join(' · ');
  return checked({
    text: `waftune: ${title}: ${formatCount(alert.count)} blocks`,
    blocks: [
      { type: 'header', text: plain(title) },
      { type: 'section', text: mrkdwn(`${scopeLine(alert)}\n${stats}`) },
      { type: 'section', text: mrkdwn(slackText(alert.summary, 1500)) },
      { type: 'section', text: mrkdwn(fixLine(alert)) },
      { type: 'context', elements: [mrkdwn(context)] },
    ],
    unfurl_links: false,
    unfurl_media: false,
  });
}

export function followUpMessage(alert: Alert, record: AlertRecord, timeZone: string): SlackMessage {
  const peak = Math.max(record.peakCount, alert.count);
  return checked({
    text: `waftune: still going: ${formatCount(alert.count)} blocks`,
    blocks: [
      {
        type: 'section',
        text: mrkdwn(
          `Still going at ${formatTime(alert.at, timeZone)}: ${formatCount(alert.count)} blocks` +
            `${alert.z === null ? '' : ` (robust z ${alert.z})`}, peak ${formatCount(peak)}.\n${fixLine(alert)}`,
        ),
      },
    ],
    unfurl_links: false,
    unfurl_media: false,
  });
}

export function resolvedMessage(record: AlertRecord, now: Date, timeZone: string): SlackMessage {
  return checked({
    text: 'waftune: back to baseline',
    blocks: [
      {
        type: 'section',
        text: mrkdwn(
          `Back to baseline at ${formatTime(now.toISOString(), timeZone)} (peak ${formatCount(record.peakCount)}, ` +
            `first sent ${formatTime(record.firstSentAt, timeZone)}).`,
        ),
      },
    ],
    unfurl_links: false,
    unfurl_media: false,
  });
}

/** More new alerts in one run than `max`: the rest in one message, so a storm is one message, not fifty. */
export function overflowMessage(alerts: readonly Alert[], timeZone: string): SlackMessage {
  const lines = alerts
    .slice(0, 30)
    .map(
      (a) =>
        `• ${TITLES[a.kind]}: ${slackCode(a.scope.host ?? 'all sites', 60)} ${slackCode(ruleName(a.scope.ruleGroup, a.scope.ruleId), 80)} ${formatCount(a.count)} blocks → ${slackCode(a.command, 120)}`,
    );
  if (alerts.length > 30) lines.push(`…and ${formatCount(alerts.length - 30)} more`);
  const texts: string[] = [];
  let current = `*${formatCount(alerts.length)} more alerts* (${slackText(timeZone, 60)})`;
  for (const line of lines) {
    if (current.length + 1 + line.length > 3000) {
      texts.push(current);
      current = line;
    } else current += `\n${line}`;
  }
  texts.push(current);
  return checked({
    text: `waftune: ${formatCount(alerts.length)} more alerts`,
    blocks: texts.slice(0, 45).map((t) => ({ type: 'section' as const, text: mrkdwn(t) })),
    unfurl_links: false,
    unfurl_media: false,
  });
}
