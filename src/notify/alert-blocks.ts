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

const codes = (values: readonly string[], max = 80) => values.map((v) => slackCode(v, max)).join(', ');

/**
 * What the numbers mean, built from the alert's fields so that identifiers go in code spans (the
 * plain `summary` is for terminals and JSON; in Slack prose `SizeRestrictions_BODY` would lose its
 * underscore to the escaping).
 */
function explain(alert: Alert, timeZone: string): string[] {
  const rule = slackCode(ruleName(alert.scope.ruleGroup, alert.scope.ruleId), 120);
  const most = alert.hosts.length > 0 ? ` Most on ${codes(alert.hosts.slice(0, 3))}.` : '';
  switch (alert.kind) {
    case 'fp-spike':
      return [];
    case 'fleet-spike':
      return [
        `Likely false positives across ${formatCount(alert.sites)} site${alert.sites === 1 ? '' : 's'}.${most}`,
      ];
    case 'override-ineffective':
      return [
        `Change ${slackCode(alert.changeId ?? '-', 60)}${alert.appliedAt ? ` (applied ${formatTime(alert.appliedAt, timeZone)})` : ''} ` +
          `lets ${rule} through in its scope, yet its requests are still blocked on ${formatCount(alert.sites)} ` +
          `site${alert.sites === 1 ? '' : 's'}: the override has not reached every web ACL, or its scope is too narrow.${most}`,
      ];
    case 'new-rule-activity': {
      const update = alert.ruleUpdate
        ? ` The rule group was updated${alert.ruleUpdate.version ? ` to ${slackCode(alert.ruleUpdate.version, 60)}` : ''} at ${slackText(alert.ruleUpdate.at, 40)}.`
        : ' A managed rule group update is the usual cause.';
      return [
        `${rule} had no blocks in the baseline and now blocks on ${formatCount(alert.sites)} sites.${most}${update}`,
      ];
    }
  }
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
      ...explain(alert, timeZone).map((text) => ({ type: 'section' as const, text: mrkdwn(text) })),
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
