import { z } from 'zod';
import { isValidTimeZone } from '../../src/notify/format.js';

/**
 * The notify functions' settings, from their environment (serverless.yml sets them). Validated
 * once at cold start so a typo fails loudly in the first invocation's log, not silently later.
 * Secrets are not here: the Slack webhook URL (or bot token) is read from the SSM SecureString
 * whose name is given.
 */

const minutes = (fallback: number) => z.coerce.number().int().positive().default(fallback);

export const notifySettingsSchema = z.object({
  WAFTUNE_BUCKET: z.string().min(3),
  WAFTUNE_STATE_PREFIX: z.string().default('notify/state/'),
  WAFTUNE_REPORT_PREFIX: z.string().default('notify/reports/'),
  /** The change history the CLI (`--audit s3://<bucket>/changes/`) and the expire function write. */
  WAFTUNE_AUDIT_PREFIX: z.string().default('changes/'),
  /** Where readers open reports (a CloudFront distribution in front of the prefix); else the S3 console. */
  WAFTUNE_REPORT_BASE_URL: z.url({ protocol: /^https$/ }).optional(),
  WAFTUNE_TIME_ZONE: z.string().default('UTC').refine(isValidTimeZone, 'not an IANA time zone'),
  WAFTUNE_ATHENA_WORKGROUP: z.string().min(1),
  WAFTUNE_ATHENA_DATABASE: z.string().min(1),
  /** SSM SecureString names. */
  WAFTUNE_SLACK_WEBHOOK_PARAMETER: z.string().optional(),
  WAFTUNE_SLACK_BOT_TOKEN_PARAMETER: z.string().optional(),
  WAFTUNE_SLACK_CHANNEL: z.string().optional(),
  WAFTUNE_ALERT_INTERVAL_MINUTES: minutes(5),
  WAFTUNE_ALERT_BUCKET_MINUTES: minutes(5),
  WAFTUNE_ALERT_WINDOW_HOURS: minutes(6),
  AWS_REGION: z.string().default('us-east-1'),
});
export type NotifySettings = z.infer<typeof notifySettingsSchema>;

export function readSettings(env: Record<string, string | undefined>): NotifySettings {
  const parsed = notifySettingsSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(
      `notify settings: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}

/** A link to the stored report: under the configured base URL, or the object's page in the S3 console. */
export function reportUrl(settings: NotifySettings, key: string): string {
  if (settings.WAFTUNE_REPORT_BASE_URL) {
    return `${settings.WAFTUNE_REPORT_BASE_URL.replace(/\/$/, '')}/${key.split('/').map(encodeURIComponent).join('/')}`;
  }
  const region = settings.AWS_REGION;
  return `https://${region}.console.aws.amazon.com/s3/object/${encodeURIComponent(settings.WAFTUNE_BUCKET)}?region=${region}&prefix=${encodeURIComponent(key)}`;
}
