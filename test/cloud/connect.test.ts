import {
  GetLoggingConfigurationCommand,
  ListWebACLsCommand,
  PutLoggingConfigurationCommand,
  WAFNonexistentItemException,
  WAFV2Client,
} from '@aws-sdk/client-wafv2';
import { mockClient } from 'aws-sdk-client-mock';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { wafLoggingClient } from '../../adapters/waf-logging.js';
import { register, runConnect } from '../../cli/commands/connect.js';
import { EXIT } from '../../cli/exit.js';
import {
  buildLoggingConfiguration,
  checkStream,
  type LoggingConfiguration,
  planConnect,
} from '../../src/waf/logging-config.js';
import { AwsModelValidator, loadAwsModel } from '../support/aws-model-validator.js';
import { awsModelPath } from '../support/vendored.js';

const model = new AwsModelValidator(loadAwsModel(awsModelPath('wafv2')), {
  exactlyOneOf: ['FieldToMatch', 'Condition'],
});

const STREAM = 'arn:aws:firehose:eu-west-1:111122223333:deliverystream/aws-waf-logs-waftune-prod';
const OTHER = 'arn:aws:firehose:eu-west-1:111122223333:deliverystream/aws-waf-logs-legacy';
const acl = (name: string, region = 'eu-west-1') => ({
  Name: name,
  Id: `${name}-id`,
  LockToken: 'tok',
  ARN: `arn:aws:wafv2:${region}:111122223333:regional/webacl/${name}/${name}-id`,
});

const waf = mockClient(WAFV2Client);
afterEach(() => {
  waf.reset();
  vi.restoreAllMocks();
});

describe('the logging configuration connect sends', () => {
  it('keeps what a rule acted on, drops ALLOW unless asked, redacts Authorization and Cookie', () => {
    const request = buildLoggingConfiguration(acl('a').ARN, STREAM, { keepAllow: false });
    expect(request).toEqual({
      ResourceArn: acl('a').ARN,
      LogDestinationConfigs: [STREAM],
      RedactedFields: [{ SingleHeader: { Name: 'authorization' } }, { SingleHeader: { Name: 'cookie' } }],
      LoggingFilter: {
        Filters: [
          {
            Behavior: 'KEEP',
            Requirement: 'MEETS_ANY',
            Conditions: ['BLOCK', 'COUNT', 'CAPTCHA', 'CHALLENGE', 'EXCLUDED_AS_COUNT'].map((Action) => ({
              ActionCondition: { Action },
            })),
          },
        ],
        DefaultBehavior: 'DROP',
      },
    });
    expect(model.validateInput('PutLoggingConfiguration', { LoggingConfiguration: request })).toEqual([]);
    const keepAll = buildLoggingConfiguration(acl('a').ARN, STREAM, { keepAllow: true });
    expect(keepAll.LoggingFilter?.DefaultBehavior).toBe('KEEP');
    expect(model.validateInput('PutLoggingConfiguration', { LoggingConfiguration: keepAll })).toEqual([]);
  });

  it('refuses a stream WAF cannot log to, and a web ACL in another region or account', () => {
    expect(() => checkStream('arn:aws:firehose:eu-west-1:111122223333:deliverystream/my-stream')).toThrow(
      /aws-waf-logs-/,
    );
    expect(() => checkStream('arn:aws:s3:::bucket')).toThrow(/delivery stream ARN/);
    const steps = planConnect({
      acls: [
        { name: 'us', arn: acl('us', 'us-west-2').ARN },
        { name: 'other-account', arn: acl('x').ARN.replace('111122223333', '999999999999') },
      ],
      scope: 'REGIONAL',
      streamArn: STREAM,
      options: { keepAllow: false },
      replace: false,
    });
    expect(steps.map((s) => [s.action, s.reason])).toEqual([
      ['skip', 'the stream is in eu-west-1, the web ACL in us-west-2: deploy a stream there'],
      ['skip', 'the stream is in account 111122223333, the web ACL in 999999999999'],
    ]);
    const cf = planConnect({
      acls: [{ name: 'cf', arn: 'arn:aws:wafv2:us-east-1:111122223333:global/webacl/cf/id' }],
      scope: 'CLOUDFRONT',
      streamArn: STREAM,
      options: { keepAllow: false },
      replace: false,
    });
    expect(cf[0]?.reason).toMatch(/CloudFront web ACLs log only to a stream in us-east-1/);
  });
});

function fleet() {
  const names = ['off', 'elsewhere', 'connected', 'old-filter', 'fms'];
  waf
    .on(ListWebACLsCommand, { Scope: 'REGIONAL', Limit: 100, NextMarker: undefined })
    .resolves({ WebACLs: names.slice(0, 3).map((n) => acl(n)), NextMarker: 'm1' })
    .on(ListWebACLsCommand, { Scope: 'REGIONAL', Limit: 100, NextMarker: 'm1' })
    .resolves({ WebACLs: names.slice(3).map((n) => acl(n)), NextMarker: 'm2' })
    .on(ListWebACLsCommand, { Scope: 'REGIONAL', Limit: 100, NextMarker: 'm2' })
    .resolves({ WebACLs: [] });
  const connected = buildLoggingConfiguration(acl('connected').ARN, STREAM, { keepAllow: false });
  const current: Record<string, LoggingConfiguration | undefined> = {
    elsewhere: { ResourceArn: acl('elsewhere').ARN, LogDestinationConfigs: [OTHER] },
    // Same configuration, listed in another order and header case: no change.
    connected: {
      ...connected,
      RedactedFields: [{ SingleHeader: { Name: 'Cookie' } }, { SingleHeader: { Name: 'Authorization' } }],
    },
    'old-filter': { ResourceArn: acl('old-filter').ARN, LogDestinationConfigs: [STREAM] },
    fms: { ResourceArn: acl('fms').ARN, LogDestinationConfigs: [STREAM], ManagedByFirewallManager: true },
  };
  for (const name of names) {
    const found = current[name];
    const call = waf.on(GetLoggingConfigurationCommand, { ResourceArn: acl(name).ARN });
    if (found) call.resolves({ LoggingConfiguration: found as never });
    else call.rejects(new WAFNonexistentItemException({ message: 'no logging', $metadata: {} }));
  }
  waf.on(PutLoggingConfigurationCommand).resolves({});
}

describe('waftune connect (WAFv2 SDK, mocked)', () => {
  it('--dry-run shows what would change and changes nothing', async () => {
    fleet();
    let out = '';
    const code = await runConnect(
      { stream: STREAM, scope: 'REGIONAL', dryRun: true, stateDir: '.waftune' },
      { write: (t) => (out += t) },
    );
    expect(waf.commandCalls(PutLoggingConfigurationCommand)).toHaveLength(0);
    expect(out).toContain('Dry run: logging of REGIONAL web ACLs to aws-waf-logs-waftune-prod (eu-west-1)');
    expect(out).toMatch(/would enable\s+off\s+logging is off/);
    expect(out).toMatch(/would update\s+old-filter/);
    expect(out).toMatch(/unchanged\s+connected/);
    expect(out).toMatch(/skipped\s+elsewhere\s+logs already go to .*aws-waf-logs-legacy.*--replace/);
    expect(out).toMatch(/skipped\s+fms\s+logging is managed by Firewall Manager/);
    expect(out).toContain('Nothing changed; 2 web ACLs would change.');
    expect(code).toBe(EXIT.partial);
  });

  it('puts a model-valid configuration on each web ACL that needs one, --replace taking over others', async () => {
    fleet();
    const slept: number[] = [];
    let out = '';
    const code = await runConnect(
      { stream: STREAM, scope: 'REGIONAL', replace: true, stateDir: '.waftune' },
      { write: (t) => (out += t), sleep: async (ms) => void slept.push(ms) },
    );
    const puts = waf.commandCalls(PutLoggingConfigurationCommand).map((c) => c.args[0].input);
    expect(puts.map((p) => p.LoggingConfiguration?.ResourceArn)).toEqual([
      acl('off').ARN,
      acl('elsewhere').ARN,
      acl('old-filter').ARN,
    ]);
    for (const put of puts) expect(model.validateInput('PutLoggingConfiguration', put)).toEqual([]);
    // About one Put a second: WAF's rate for writes.
    expect(slept).toEqual([1000, 1000]);
    expect(out).toContain('3 web ACLs changed.');
    expect(code).toBe(EXIT.partial); // the Firewall Manager one stays as it is
  });

  it('--acl limits the change to the named web ACLs and reports names that do not exist', async () => {
    fleet();
    let out = '';
    const code = await runConnect(
      { stream: STREAM, scope: 'REGIONAL', acl: ['off', 'nope'], stateDir: '.waftune', json: true },
      { write: (t) => (out += t), sleep: async () => {} },
    );
    const report = JSON.parse(out) as {
      steps: Array<{ acl: { name: string }; action: string }>;
      missing: string[];
    };
    expect(report.steps.map((s) => [s.acl.name, s.action])).toEqual([['off', 'enable']]);
    expect(report.missing).toEqual(['nope']);
    expect(waf.commandCalls(PutLoggingConfigurationCommand)).toHaveLength(1);
    expect(code).toBe(EXIT.partial);
  });

  it('reports a failed Put and goes on with the others', async () => {
    fleet();
    waf
      .on(PutLoggingConfigurationCommand, { LoggingConfiguration: { ResourceArn: acl('off').ARN } as never })
      .rejects(new Error('WAFLimitsExceededException: slow down'));
    let out = '';
    const code = await runConnect(
      { stream: STREAM, scope: 'REGIONAL', stateDir: '.waftune' },
      { write: (t) => (out += t), sleep: async () => {} },
    );
    expect(out).toMatch(/failed\s+off\s+WAFLimitsExceededException: slow down/);
    expect(out).toContain('1 web ACL changed, 1 failed.');
    expect(code).toBe(EXIT.partial);
  });

  it('runs as a command; CLOUDFRONT scope talks to us-east-1', async () => {
    waf.on(ListWebACLsCommand).resolves({ WebACLs: [] });
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const program = new Command('waftune').exitOverride();
    register(program);
    await program.parseAsync(
      ['connect', '--stream', STREAM.replace('eu-west-1', 'us-east-1'), '--scope', 'CLOUDFRONT', '--dry-run'],
      { from: 'user' },
    );
    const printed = write.mock.calls.map((c) => String(c[0])).join('');
    vi.restoreAllMocks();
    expect(printed).toContain('no web ACLs in this scope and region');
    expect(waf.commandCalls(ListWebACLsCommand)[0]?.args[0].input).toEqual({
      Scope: 'CLOUDFRONT',
      Limit: 100,
    });
    waf.restore();
    expect(await wafLoggingClient('CLOUDFRONT', { region: 'eu-west-1' }).config.region()).toBe('us-east-1');
    expect(await wafLoggingClient('REGIONAL', { region: 'eu-west-1' }).config.region()).toBe('eu-west-1');
  });
});
