import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createAthenaEngine } from '../../adapters/athena.js';
import { S3AuditStore } from '../../adapters/audit-store-s3.js';
import { awsClientConfig } from '../../adapters/aws-client-config.js';
import { createS3Client } from '../../adapters/s3-source.js';
import { S3StateStore } from '../../adapters/s3-state-store.js';
import type { QueryEngine } from '../../src/engines/query-engine.js';
import { botDelivery, type Delivery, webhookDelivery } from '../../src/notify/deliver.js';
import type { ReportSink } from '../../src/notify/run-digest.js';
import type { StateStore } from '../../src/notify/state-store.js';
import type { AuditStore } from '../../src/waf/audit.js';
import { type NotifySettings, reportUrl } from './settings.js';

/** The AWS side of the notify functions: Athena, the S3 state, reports and change history, Slack from SSM. */

export interface NotifyDeps {
  engine: QueryEngine;
  store: StateStore;
  report: ReportSink;
  delivery: Delivery | null;
  /** The change history (read only here); none means no change is known. */
  audit?: AuditStore;
}

let s3: S3Client | undefined;

/**
 * How long a Slack secret read from SSM is kept (seconds). The container outlives many runs (the
 * alerts run every few minutes); past this age the next run reads the parameter again, so a
 * rotated webhook URL or bot token is used within minutes, without a cold start.
 */
export const SECRET_MAX_AGE_SECONDS = 300;

let ssm: SSMProvider | undefined;

/** A SecureString through Powertools Parameters (cached for SECRET_MAX_AGE_SECONDS, decrypted). */
async function secret(name: string): Promise<string> {
  ssm ??= new SSMProvider({ clientConfig: awsClientConfig() });
  const value = await ssm.get(name, { decrypt: true, maxAge: SECRET_MAX_AGE_SECONDS });
  if (!value) throw new Error(`SSM parameter ${name} is empty`);
  return value;
}

export async function slackFromSettings(settings: NotifySettings): Promise<Delivery | null> {
  if (settings.WAFTUNE_SLACK_BOT_TOKEN_PARAMETER && settings.WAFTUNE_SLACK_CHANNEL) {
    return botDelivery({
      token: await secret(settings.WAFTUNE_SLACK_BOT_TOKEN_PARAMETER),
      channel: settings.WAFTUNE_SLACK_CHANNEL,
    });
  }
  if (settings.WAFTUNE_SLACK_WEBHOOK_PARAMETER)
    return webhookDelivery(await secret(settings.WAFTUNE_SLACK_WEBHOOK_PARAMETER));
  return null;
}

export function s3ReportSink(client: S3Client, settings: NotifySettings): ReportSink {
  return {
    async save(name, html) {
      const key = `${settings.WAFTUNE_REPORT_PREFIX.replace(/\/?$/, '/')}${name}`;
      await client.send(
        new PutObjectCommand({
          Bucket: settings.WAFTUNE_BUCKET,
          Key: key,
          Body: html,
          ContentType: 'text/html; charset=utf-8',
          ServerSideEncryption: 'AES256',
        }),
      );
      return { location: `s3://${settings.WAFTUNE_BUCKET}/${key}`, url: reportUrl(settings, key) };
    },
  };
}

/**
 * Everything the functions use. A Slack secret that cannot be read (parameter missing, no access)
 * does not stop the run: the digest is still built and stored, and the problem is reported.
 */
export async function notifyDeps(
  settings: NotifySettings,
): Promise<{ deps: NotifyDeps; problems: string[] }> {
  s3 ??= createS3Client();
  const problems: string[] = [];
  let delivery: Delivery | null = null;
  try {
    delivery = await slackFromSettings(settings);
  } catch (error) {
    problems.push(
      `Slack is not reachable from here: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return {
    deps: {
      engine: createAthenaEngine({
        workGroup: settings.WAFTUNE_ATHENA_WORKGROUP,
        database: settings.WAFTUNE_ATHENA_DATABASE,
      }),
      store: new S3StateStore(s3, settings.WAFTUNE_BUCKET, settings.WAFTUNE_STATE_PREFIX),
      report: s3ReportSink(s3, settings),
      delivery,
      audit: new S3AuditStore(s3, settings.WAFTUNE_BUCKET, settings.WAFTUNE_AUDIT_PREFIX),
    },
    problems,
  };
}
