import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Data the tests read, vendored in the repository (see each folder's README for its source and licence). */

export type AwsService = 'wafv2' | 'firehose' | 'athena' | 'logs' | 'sts';

/** botocore's service model, as vendored under vendor/aws-models/. */
export function awsModelPath(service: AwsService): string {
  return fileURLToPath(new URL(`../../vendor/aws-models/${service}.service-2.json`, import.meta.url));
}

export const AWS_DOC_EXAMPLES = fileURLToPath(
  new URL('../../fixtures/waf-log-examples/aws-docs-examples.jsonl', import.meta.url),
);

/** AWS's six documented WAF log records, one JSON text each. */
export function awsDocExampleLines(): string[] {
  return readFileSync(AWS_DOC_EXAMPLES, 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0);
}
