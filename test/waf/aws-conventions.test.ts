import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { WAFV2Client } from '@aws-sdk/client-wafv2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { FileAuditStore } from '../../adapters/audit-store-fs.js';
import { USER_AGENT_APP_ID, wafv2ClientConfig } from '../../adapters/aws-client-config.js';
import { createS3Client } from '../../adapters/s3-source.js';
import { Wafv2Port } from '../../adapters/wafv2.js';
import { readSettings } from '../../functions/digest/settings.js';
import { SECRET_MAX_AGE_SECONDS, slackFromSettings } from '../../functions/digest/wiring.js';
import { WAFTUNE_VERSION } from '../../src/version.js';
import { applyWork } from '../../src/waf/apply.js';
import { planWork } from '../../src/waf/plan.js';
import { prepareWork } from '../../src/waf/work.js';
import { type LocalWafv2, managedGroupRule, startLocalWafv2 } from '../support/wafv2-local-endpoint.js';
import { ipBlock, override } from './suggestions.js';

/** How waftune behaves as an AWS client: identifiable, patient with throttling and with WAF's eventual consistency. */

const ROOT = join(import.meta.dirname, '..', '..');
const credentials = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' };
const actor = { user: 'tester', host: 'ci' };
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'waftune-aws-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function port(ep: LocalWafv2, delaysMs: number[] = [5, 5, 5]) {
  return new Wafv2Port({
    region: 'eu-west-1',
    clientConfig: { endpoint: ep.url, credentials, maxAttempts: 1 },
    entityRetry: { delaysMs, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) },
  });
}

describe('every AWS client says it is waftune', () => {
  it('sends app/waftune-<version> in the user agent of every WAFv2 call', async () => {
    const ep = await startLocalWafv2();
    try {
      ep.seedWebAcl({ name: 'site-a', rules: [managedGroupRule('AWSManagedRulesCommonRuleSet', 1)] });
      const p = port(ep);
      const work = await prepareWork(p, [ipBlock('ipb-1', ['198.51.100.7'])], {
        region: 'eu-west-1',
        scopes: ['REGIONAL'],
        now: new Date(),
      });
      await planWork(p, work);
      expect(ep.requests.length).toBeGreaterThan(2);
      expect(USER_AGENT_APP_ID).toBe(`waftune/${WAFTUNE_VERSION}`);
      // The SDK writes the app id into the user agent with its `/` as `-`; CloudTrail shows the same.
      for (const r of ep.requests)
        expect(r.userAgent, r.operation).toContain(`app/waftune-${WAFTUNE_VERSION}`);
    } finally {
      await ep.close();
    }
  });

  it('builds every SDK client of the CLI, the adapters and the functions through aws-client-config.ts', async () => {
    const constructions: string[] = [];
    const scan = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) scan(p);
        else if (p.endsWith('.ts'))
          for (const m of readFileSync(p, 'utf8').matchAll(/new (\w+(?:Client|Provider))\(([^)]*)/g))
            constructions.push(`${p.slice(ROOT.length + 1)}: ${m[0]}`);
      }
    };
    for (const d of ['adapters', 'cli', 'functions']) scan(join(ROOT, d));
    expect(constructions.length).toBeGreaterThanOrEqual(4);
    for (const c of constructions) expect(c).toMatch(/ClientConfig\(|clientConfig: awsClientConfig\(\)/);
    expect(await createS3Client({ region: 'eu-west-1' }).config.userAgentAppId()).toBe(USER_AGENT_APP_ID);
  });
});

describe('WAFv2 retries', () => {
  it('uses adaptive retry (client-side rate limiting on throttling) for every WAFv2 client', async () => {
    const direct = new WAFV2Client(wafv2ClientConfig({ region: 'eu-west-1' }));
    const mode = async (c: WAFV2Client) => ((await c.config.retryStrategy()) as { mode?: string }).mode;
    expect(await mode(direct)).toBe('adaptive');
    // And every WAFv2 client is built with that configuration.
    const wafClients =
      readFileSync(join(ROOT, 'adapters', 'wafv2.ts'), 'utf8').match(/new WAFV2Client\([^)]*/g) ?? [];
    expect(wafClients.length).toBeGreaterThan(0);
    for (const c of wafClients) expect(c).toContain('wafv2ClientConfig(');
  });

  /** Applies one IP block to one web ACL on an endpoint where a new IP set stays unavailable `refusals` times. */
  async function applyAfterCreate(refusals: number, delaysMs: number[]) {
    const ep = await startLocalWafv2({ unavailableAfterCreate: refusals });
    try {
      ep.seedWebAcl({ name: 'site-a', rules: [managedGroupRule('AWSManagedRulesCommonRuleSet', 1)] });
      const p = port(ep, delaysMs);
      const work = await prepareWork(p, [ipBlock('ipb-1', ['198.51.100.7'])], {
        region: 'eu-west-1',
        scopes: ['REGIONAL'],
        now: new Date(),
      });
      const { record } = await applyWork(p, new FileAuditStore(mkdtempSync(join(dir, 'store-'))), work, {
        actor,
        now: () => new Date(),
      });
      return { record, operations: ep.operations() };
    } finally {
      await ep.close();
    }
  }

  it('retries WAFUnavailableEntityException from the update that first references a just-created IP set', async () => {
    const { record, operations } = await applyAfterCreate(2, [5, 5, 5]);
    expect(record.entries.map((e) => `${e.target.name}:${e.status}`)).toEqual([
      'waftune-blocked-ipv4:applied',
      'site-a:applied',
    ]);
    const referencing = operations.filter((o) => o === 'UpdateWebACL' || o === 'CheckCapacity');
    expect(referencing.length).toBeGreaterThanOrEqual(3);
  });

  it('gives up after its retries and reports the error on that web ACL', async () => {
    const { record } = await applyAfterCreate(10, [1, 1]);
    const acl = record.entries.find((e) => e.target.name === 'site-a');
    expect(acl?.status).toBe('failed');
    expect(acl?.reason).toContain('WAFUnavailableEntityException');
  });
});

describe('S3 checksums', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it("keeps the SDK's default checksums against AWS, and asks only required ones of a custom endpoint", async () => {
    delete process.env.AWS_ENDPOINT_URL;
    delete process.env.AWS_ENDPOINT_URL_S3;
    const aws = createS3Client({ region: 'eu-west-1' });
    expect(await aws.config.requestChecksumCalculation()).toBe('WHEN_SUPPORTED');
    expect(await aws.config.responseChecksumValidation()).toBe('WHEN_SUPPORTED');
    expect(aws.config.forcePathStyle).toBeFalsy();
    process.env.AWS_ENDPOINT_URL_S3 = 'http://127.0.0.1:4568';
    const local = createS3Client({ region: 'eu-west-1' });
    expect(await local.config.requestChecksumCalculation()).toBe('WHEN_REQUIRED');
    expect(await local.config.responseChecksumValidation()).toBe('WHEN_REQUIRED');
    expect(local.config.forcePathStyle).toBe(true);
  });
});

describe('the Slack secret in the functions', () => {
  it('is read from SSM through Powertools Parameters, cached, and read again after its max age', async () => {
    const ssm = mockClient(SSMClient);
    let current = 'https://hooks.slack.com/services/T0/B0/first';
    ssm.on(GetParameterCommand).callsFake((input: { Name: string; WithDecryption?: boolean }) => {
      expect(input).toMatchObject({ Name: '/waftune/test/slack-webhook-url', WithDecryption: true });
      return { Parameter: { Name: input.Name, Value: current } };
    });
    const settings = readSettings({
      WAFTUNE_BUCKET: 'bucket',
      WAFTUNE_ATHENA_WORKGROUP: 'wg',
      WAFTUNE_ATHENA_DATABASE: 'db',
      WAFTUNE_SLACK_WEBHOOK_PARAMETER: '/waftune/test/slack-webhook-url',
    });
    const start = Date.now();
    const clock = vi.spyOn(Date, 'now').mockReturnValue(start);
    try {
      await slackFromSettings(settings);
      current = 'https://hooks.slack.com/services/T0/B0/rotated';
      await slackFromSettings(settings);
      expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(1);
      clock.mockReturnValue(start + (SECRET_MAX_AGE_SECONDS + 1) * 1000);
      await slackFromSettings(settings);
      expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(2);
    } finally {
      clock.mockRestore();
      ssm.restore();
    }
  });
});

describe('the allowlist at plan time', () => {
  it('refuses an IP block that covers an allowlisted address, with the reason, and blocks the rest', async () => {
    const ep = await startLocalWafv2();
    try {
      ep.seedWebAcl({ name: 'site-a', rules: [managedGroupRule('AWSManagedRulesCommonRuleSet', 1)] });
      const p = port(ep);
      const work = await prepareWork(
        p,
        [
          ipBlock('ipb-office', ['203.0.113.0/24']),
          ipBlock('ipb-2', ['198.51.100.7']),
          override('ovr-1', ['site-a']),
        ],
        { region: 'eu-west-1', scopes: ['REGIONAL'], now: new Date(), allowlist: ['203.0.113.20'] },
      );
      expect(work.skipped).toEqual([
        {
          suggestionId: 'ipb-office',
          reason:
            "refused: 203.0.113.0/24 is not blocked because it covers 203.0.113.20, which the configuration's allowlist protects",
        },
      ]);
      const plan = await planWork(p, work);
      expect(plan.ipSets[0]?.add.map((a) => a.cidr)).toEqual(['198.51.100.7/32']);
    } finally {
      await ep.close();
    }
  });
});
