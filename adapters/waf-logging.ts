import {
  GetLoggingConfigurationCommand,
  ListWebACLsCommand,
  PutLoggingConfigurationCommand,
  type LoggingConfiguration as SdkLoggingConfiguration,
  WAFNonexistentItemException,
  WAFV2Client,
  type WAFV2ClientConfig,
} from '@aws-sdk/client-wafv2';
import type { LoggingConfiguration, WafLoggingPort } from '../src/waf/logging-config.js';
import type { WafScope } from '../src/waf/types.js';

/**
 * WafLoggingPort over the AWS SDK. CLOUDFRONT-scope web ACLs are managed in us-east-1 whatever the
 * configured region; otherwise the client takes the standard SDK configuration (profile, region,
 * AWS_ENDPOINT_URL_WAFV2).
 */

export function wafLoggingClient(scope: WafScope, config: WAFV2ClientConfig = {}): WAFV2Client {
  return new WAFV2Client({ ...config, ...(scope === 'CLOUDFRONT' ? { region: 'us-east-1' } : {}) });
}

export function wafLoggingPort(client: WAFV2Client, scope: WafScope): WafLoggingPort {
  return {
    async listWebAcls() {
      const out: Array<{ name: string; arn: string }> = [];
      let marker: string | undefined;
      do {
        const page = await client.send(
          new ListWebACLsCommand({ Scope: scope, Limit: 100, ...(marker ? { NextMarker: marker } : {}) }),
        );
        for (const acl of page.WebACLs ?? []) {
          if (acl.Name && acl.ARN) out.push({ name: acl.Name, arn: acl.ARN });
        }
        // WAF returns a marker on the last page too; an empty page ends the listing.
        marker = (page.WebACLs?.length ?? 0) > 0 ? page.NextMarker : undefined;
      } while (marker);
      return out;
    },
    async getLogging(webAclArn) {
      try {
        const out = await client.send(new GetLoggingConfigurationCommand({ ResourceArn: webAclArn }));
        return out.LoggingConfiguration as LoggingConfiguration | undefined;
      } catch (error) {
        if (error instanceof WAFNonexistentItemException) return undefined;
        throw error;
      }
    },
    async putLogging(config) {
      await client.send(
        new PutLoggingConfigurationCommand({ LoggingConfiguration: config as SdkLoggingConfiguration }),
      );
    },
  };
}
