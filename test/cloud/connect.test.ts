import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FileAuditStore } from '../../adapters/audit-store-fs.js';
import type { Wafv2Port } from '../../adapters/wafv2.js';
import { runConnect } from '../../cli/commands/connect.js';
import { EXIT } from '../../cli/exit.js';
import { executeConnect, planConnectRun } from '../../src/waf/connect.js';
import { EVIDENCE_RULES, evidenceRuleBody } from '../../src/waf/evidence-labels.js';
import { buildLoggingConfiguration, checkStream, planConnect } from '../../src/waf/logging-config.js';
import { executeRollback, planRollback } from '../../src/waf/rollback.js';
import { decodeText } from '../../src/waf/statements.js';
import { AwsModelValidator, loadAwsModel } from '../support/aws-model-validator.js';
import { FAST_RETRY, type LocalWaf, startLocalWaf } from '../support/local-waf-port.js';
import { publishedSchema } from '../support/published-schema.js';
import { runCli } from '../support/run-cli.js';
import { awsModelPath } from '../support/vendored.js';
import { logThrough, withCountRules } from '../support/waf-simulator.js';
import {
  type LocalWafv2,
  managedGroupRule,
  rateRule,
  startLocalWafv2,
} from '../support/wafv2-local-endpoint.js';

const model = new AwsModelValidator(loadAwsModel(awsModelPath('wafv2')), {
  exactlyOneOf: ['FieldToMatch', 'Condition', 'Statement', 'RuleAction'],
});

// The local endpoint's account; a stream in another account cannot take the logs.
const ACCOUNT = '123456789012';
const STREAM = `arn:aws:firehose:eu-west-1:${ACCOUNT}:deliverystream/aws-waf-logs-waftune-prod`;
const OTHER = `arn:aws:firehose:eu-west-1:${ACCOUNT}:deliverystream/aws-waf-logs-legacy`;
const FAST = FAST_RETRY;
const LABEL = `awswaf:${ACCOUNT}:webacl:off:waftune:wp-logged-in`;
// What `connect --json` prints, checked against the published JSON Schema as a user's script would.
const connectSchema = publishedSchema('connect.schema.json');

describe('the logging configuration connect sends', () => {
  const arn = `arn:aws:wafv2:eu-west-1:${ACCOUNT}:regional/webacl/site-a/id-a`;

  it('keeps what a rule acted on and the ALLOW records labelled as logged in; redacts Authorization and Cookie', () => {
    const request = buildLoggingConfiguration(arn, STREAM, { keepAllow: false });
    expect(request).toEqual({
      ResourceArn: arn,
      LogDestinationConfigs: [STREAM],
      RedactedFields: [{ SingleHeader: { Name: 'authorization' } }, { SingleHeader: { Name: 'cookie' } }],
      LoggingFilter: {
        Filters: [
          {
            Behavior: 'KEEP',
            Requirement: 'MEETS_ANY',
            Conditions: [
              ...['BLOCK', 'COUNT', 'CAPTCHA', 'CHALLENGE', 'EXCLUDED_AS_COUNT'].map((Action) => ({
                ActionCondition: { Action },
              })),
              // The fully qualified labels, as WAF writes them: the filter matches nothing shorter.
              ...['wp-logged-in', 'woo-session', 'wp-commenter', 'auth-basic', 'auth-bearer'].map((l) => ({
                LabelNameCondition: { LabelName: `awswaf:${ACCOUNT}:webacl:site-a:waftune:${l}` },
              })),
            ],
          },
        ],
        DefaultBehavior: 'DROP',
      },
    });
    expect(model.validateInput('PutLoggingConfiguration', { LoggingConfiguration: request })).toEqual([]);
    const keepAll = buildLoggingConfiguration(arn, STREAM, { keepAllow: true });
    expect(keepAll.LoggingFilter?.DefaultBehavior).toBe('KEEP');
    expect(model.validateInput('PutLoggingConfiguration', { LoggingConfiguration: keepAll })).toEqual([]);
  });

  it('with the evidence rule, keeps a logged-in ALLOW record (cookie redacted) and drops an anonymous one', () => {
    const config = buildLoggingConfiguration(arn, STREAM, { keepAllow: false });
    const rules = EVIDENCE_RULES.map(evidenceRuleBody);
    const record = (cookie: string | null, action = 'ALLOW') => ({
      timestamp: 1,
      formatVersion: 1,
      webaclId: arn,
      terminatingRuleId: 'Default_Action',
      action,
      httpRequest: {
        clientIp: '198.51.100.7',
        uri: '/wp-admin/',
        httpMethod: 'GET',
        headers: [
          { name: 'Host', value: 'example.com' },
          ...(cookie === null ? [] : [{ name: 'Cookie', value: cookie }]),
        ],
      },
    });
    const ns = `awswaf:${ACCOUNT}:webacl:site-a:`;
    const editor = logThrough(
      withCountRules(record('wp-settings-1=x; wordpress_logged_in_5f3a=editor%7C1732'), rules, ns),
      config,
    );
    expect(editor?.labels).toEqual([{ name: `${ns}waftune:wp-logged-in` }]);
    expect(JSON.stringify(editor)).not.toContain('editor%7C1732');
    expect((editor?.httpRequest as { headers: unknown[] } | undefined)?.headers).toContainEqual({
      name: 'Cookie',
      value: 'REDACTED',
    });
    expect(logThrough(withCountRules(record('_ga=GA1.2'), rules, ns), config)).toBeNull();
    expect(logThrough(withCountRules(record(null), rules, ns), config)).toBeNull();
    expect(logThrough(withCountRules(record(null, 'BLOCK'), rules, ns), config)).not.toBeNull();
  });

  it('refuses a stream WAF cannot log to, and a web ACL in another region or account', () => {
    expect(() => checkStream(`arn:aws:firehose:eu-west-1:${ACCOUNT}:deliverystream/my-stream`)).toThrow(
      /aws-waf-logs-/,
    );
    expect(() => checkStream('arn:aws:s3:::bucket')).toThrow(/delivery stream ARN/);
    const steps = planConnect({
      acls: [
        { name: 'us', arn: `arn:aws:wafv2:us-west-2:${ACCOUNT}:regional/webacl/us/id` },
        { name: 'other-account', arn: 'arn:aws:wafv2:eu-west-1:999999999999:regional/webacl/x/id' },
      ],
      scope: 'REGIONAL',
      streamArn: STREAM,
      options: { keepAllow: false },
      replace: false,
    });
    expect(steps.map((s) => [s.action, s.reason])).toEqual([
      ['skip', 'the stream is in eu-west-1, the web ACL in us-west-2: deploy a stream there'],
      ['skip', `the stream is in account ${ACCOUNT}, the web ACL in 999999999999`],
    ]);
    const cf = planConnect({
      acls: [{ name: 'cf', arn: `arn:aws:wafv2:us-east-1:${ACCOUNT}:global/webacl/cf/id` }],
      scope: 'CLOUDFRONT',
      streamArn: STREAM,
      options: { keepAllow: false },
      replace: false,
    });
    expect(cf[0]?.reason).toMatch(/CloudFront web ACLs log only to a stream in us-east-1/);
  });
});

describe('waftune connect against a WAFv2 endpoint', () => {
  let waf: LocalWaf;
  let ep: LocalWafv2;
  let port: Wafv2Port;
  let store: FileAuditStore;
  let dir: string;

  beforeEach(async () => {
    waf = await startLocalWaf('connect');
    ({ ep, port, store, dir } = waf);
    const rules = () => [managedGroupRule('AWSManagedRulesCommonRuleSet', 0), rateRule('rate-login', 1)];
    for (const name of ['off', 'elsewhere', 'connected', 'old-filter', 'fms'])
      ep.seedWebAcl({ name, rules: rules() });
    const arnOf = (name: string) => ep.webAcl(name).acl.ARN;
    ep.setLogging('elsewhere', { LogDestinationConfigs: [OTHER] });
    ep.setLogging('connected', buildLoggingConfiguration(arnOf('connected'), STREAM, { keepAllow: false }));
    ep.editWebAcl('connected', (acl) => {
      acl.Rules = [
        ...EVIDENCE_RULES.map((r, i) => ({ ...evidenceRuleBody(r), Priority: i })),
        ...(acl.Rules ?? []).map((r) => ({ ...r, Priority: (r.Priority as number) + EVIDENCE_RULES.length })),
      ];
    });
    ep.setLogging('old-filter', { LogDestinationConfigs: [STREAM] });
    ep.setLogging('fms', { LogDestinationConfigs: [STREAM], ManagedByFirewallManager: true });
  });

  afterEach(() => waf.close());

  async function connect(extra: Partial<Parameters<typeof runConnect>[0]> = {}) {
    let out = '';
    const slept: number[] = [];
    const code = await runConnect(
      { stream: STREAM, scope: 'REGIONAL', stateDir: dir, ...extra },
      { port, store, write: (t) => (out += t), sleep: async (ms) => void slept.push(ms), retry: FAST },
    );
    return { code, out, slept };
  }

  const ruleNames = (name: string) =>
    (ep.webAcl(name).acl.Rules ?? [])
      .sort((a, b) => (a.Priority as number) - (b.Priority as number))
      .map((r) => r.Name);

  it('--dry-run shows the logging and the evidence rule each web ACL would get, and changes nothing', async () => {
    const { code, out } = await connect({ dryRun: true });
    expect(ep.operations('UpdateWebACL')).toEqual([]);
    expect(ep.operations('PutLoggingConfiguration')).toEqual([]);
    expect(out).toContain('Dry run: logging of REGIONAL web ACLs to aws-waf-logs-waftune-prod (eu-west-1)');
    expect(out).toMatch(/would enable\s+off\s+logging is off/);
    expect(out).toMatch(/would add the evidence rules at the top \(WCU 704 -> 738\)/);
    expect(out).toContain('+ rule waftune-evidence-wp-logged-in (priority 0)');
    expect(out).toContain('header cookie contains "wordpress_logged_in_"');
    expect(out).toMatch(/would update\s+old-filter/);
    expect(out).toMatch(/unchanged\s+connected\s+already connected\n\s+evidence rules in place/);
    expect(out).toMatch(/skipped\s+elsewhere\s+logs already go to .*aws-waf-logs-legacy.*--replace/);
    expect(out).toMatch(/skipped\s+fms\s+logging is managed by Firewall Manager/);
    expect(out).toContain('Nothing changed; 2 web ACLs would change.');
    expect(code).toBe(EXIT.partial);

    const json = await connect({ dryRun: true, json: true });
    const report = JSON.parse(json.out);
    expect(connectSchema(report)).toEqual([]);
    expect(report).toMatchObject({
      dryRun: true,
      stream: STREAM,
      scope: 'REGIONAL',
      change: null,
      failed: [],
    });
    const off = report.steps.find((s: { acl: { name: string } }) => s.acl.name === 'off');
    expect(off).toMatchObject({
      action: 'enable',
      request: { ResourceArn: ep.webAcl('off').acl.ARN, LogDestinationConfigs: [STREAM] },
      evidence: { action: 'add', wcuBefore: 704, wcuAfter: 738 },
    });
    expect(off.evidence.diff[0]).toMatchObject({ op: 'add', name: 'waftune-evidence-wp-logged-in' });
    expect(report.steps.find((s: { acl: { name: string } }) => s.acl.name === 'fms')).toMatchObject({
      action: 'skip',
      request: null,
      evidence: { action: 'not-logging' },
    });
    expect(connectSchema({ ...report, steps: [{ ...off, action: 'disable' }] })).not.toEqual([]);
    expect(ep.operations('PutLoggingConfiguration')).toEqual([]);
  });

  it('puts the evidence rule first and the logging on each web ACL, records both, and a second run is a no-op', async () => {
    const { code, out, slept } = await connect({ replace: true });
    expect(code).toBe(EXIT.partial); // the Firewall Manager one stays as it is
    for (const name of ['off', 'elsewhere', 'old-filter', 'connected']) {
      expect(ruleNames(name)).toEqual([
        'waftune-evidence-wp-logged-in',
        'waftune-evidence-woo-session',
        'waftune-evidence-wp-commenter',
        'waftune-evidence-auth-basic',
        'waftune-evidence-auth-bearer',
        'AWS-AWSManagedRulesCommonRuleSet',
        'rate-login',
      ]);
      expect(ep.logging(name)).toEqual(
        buildLoggingConfiguration(ep.webAcl(name).acl.ARN, STREAM, { keepAllow: false }),
      );
    }
    const rule = ep
      .webAcl('off')
      .acl.Rules?.find((r) => r.Name === 'waftune-evidence-wp-logged-in') as unknown as {
      Action: unknown;
      RuleLabels: unknown;
      Statement: { ByteMatchStatement: { SearchString: string } };
    };
    expect(rule.Action).toEqual({ Count: {} });
    expect(rule.RuleLabels).toEqual([{ Name: 'waftune:wp-logged-in' }]);
    expect(decodeText(rule.Statement.ByteMatchStatement.SearchString)).toBe('wordpress_logged_in_');
    expect(ep.logging('off')?.LoggingFilter).toMatchObject({
      Filters: [{ Conditions: expect.arrayContaining([{ LabelNameCondition: { LabelName: LABEL } }]) }],
    });
    expect(ruleNames('fms')).toEqual(['AWS-AWSManagedRulesCommonRuleSet', 'rate-login']);
    // About one write a second: WAF's rate for Put and Update calls.
    expect(slept.length).toBe(5);
    expect(slept.every((ms) => ms === 1000)).toBe(true);

    const [change] = await store.list();
    expect(change?.header.kind).toBe('connect');
    expect(change?.entries.map((e) => `${e.target.type} ${e.target.name} ${e.status}`)).toEqual([
      'web-acl off applied',
      'logging off applied',
      'web-acl elsewhere applied',
      'logging elsewhere applied',
      'web-acl old-filter applied',
      'logging old-filter applied',
    ]);
    expect(out).toContain(`To undo: waftune rollback ${change?.header.id}`);

    const writes = ep.operations('UpdateWebACL').length + ep.operations('PutLoggingConfiguration').length;
    const again = await connect({ replace: true });
    expect(ep.operations('UpdateWebACL').length + ep.operations('PutLoggingConfiguration').length).toBe(
      writes,
    );
    expect(again.out).toContain('Nothing to change.');
    expect(await store.list()).toHaveLength(1);
  });

  it('rollback takes the evidence rule out and puts the earlier logging back, where nothing changed since', async () => {
    await connect({ replace: true });
    const [change] = await store.list();
    if (!change) throw new Error('no change recorded');
    // Someone changes old-filter's logging after connect: that one must not be rolled back.
    ep.setLogging('old-filter', { LogDestinationConfigs: [OTHER] });
    const plan = await planRollback(port, store, change);
    expect(plan.items.map((i) => `${i.entry.target.type} ${i.entry.target.name} ${i.action}`)).toEqual([
      'web-acl old-filter restore',
      'web-acl elsewhere restore',
      'web-acl off restore',
      'logging old-filter conflict',
      'logging elsewhere restore',
      'logging off delete',
    ]);
    const { record } = await executeRollback(port, store, plan, {
      actor: { user: 't' },
      now: () => new Date(),
      retry: FAST,
    });
    expect(record.summary?.counts).toEqual({ applied: 5, unchanged: 0, refused: 1, failed: 0 });
    for (const name of ['off', 'elsewhere', 'old-filter'])
      expect(ruleNames(name)).toEqual(['AWS-AWSManagedRulesCommonRuleSet', 'rate-login']);
    expect(ep.logging('off')).toBeUndefined();
    expect(ep.logging('elsewhere')?.LogDestinationConfigs).toEqual([OTHER]);
    expect(ep.logging('old-filter')?.LogDestinationConfigs).toEqual([OTHER]);
  });

  it('adds the rule on a fresh read when someone edits the web ACL meanwhile, keeping their edit', async () => {
    ep.beforeUpdate('off', () =>
      ep.editWebAcl('off', (acl) => {
        acl.Rules = [...(acl.Rules ?? []), rateRule('someone-elses-rule', 50)];
      }),
    );
    await connect({ acl: ['off'] });
    expect(ruleNames('off')).toEqual([
      'waftune-evidence-wp-logged-in',
      'waftune-evidence-woo-session',
      'waftune-evidence-wp-commenter',
      'waftune-evidence-auth-basic',
      'waftune-evidence-auth-bearer',
      'AWS-AWSManagedRulesCommonRuleSet',
      'rate-login',
      'someone-elses-rule',
    ]);
    const [change] = await store.list();
    expect(change?.entries[0]?.attempts).toBe(2);
  });

  it('leaves alone a logging configuration someone changed between the plan and the write', async () => {
    const plan = await planConnectRun(port, {
      location: { scope: 'REGIONAL', region: 'eu-west-1' },
      streamArn: STREAM,
      options: { keepAllow: false },
      replace: true,
      evidence: true,
      names: ['old-filter'],
    });
    ep.setLogging('old-filter', { LogDestinationConfigs: [OTHER] });
    const { record } = await executeConnect(port, store, plan, {
      actor: { user: 't' },
      now: () => new Date(),
      retry: FAST,
      sleep: async () => {},
    });
    expect(record.entries.map((e) => `${e.target.type} ${e.status} ${e.reason ?? ''}`)).toEqual([
      'web-acl applied evidence rules added',
      'logging refused the logging configuration changed since it was read; run connect again',
    ]);
    expect(ep.logging('old-filter')?.LogDestinationConfigs).toEqual([OTHER]);
  });

  it('refuses the rule where the web ACL has no capacity left, still connects the logging, and says what is lost', async () => {
    const { code, out } = await connect({ acl: ['off'], maxWcu: '705' });
    expect(code).toBe(EXIT.partial);
    expect(out).toMatch(
      /evidence rules refused: the rules would need 738 WCU, more than this web ACL's limit of 705/,
    );
    expect(out).toContain('logged-in work on this web ACL stays invisible on Athena');
    expect(ruleNames('off')).toEqual(['AWS-AWSManagedRulesCommonRuleSet', 'rate-login']);
    expect(ep.logging('off')).toBeDefined();
  });

  it('--no-evidence leaves the rules alone; a failing Put is reported and the others go on', async () => {
    ep.failFor('off', {
      type: 'WAFLimitsExceededException',
      message: 'slow down',
      operations: ['PutLoggingConfiguration'],
    });
    const { code, out } = await connect({ evidence: false, replace: true, json: true });
    expect(ep.operations('UpdateWebACL')).toEqual([]);
    expect(connectSchema(JSON.parse(out))).toEqual([]);
    const report = JSON.parse(out) as {
      steps: Array<{ acl: { name: string }; action: string; evidence: { action: string } }>;
      failed: Array<{ acl: string; error: string }>;
      change: { kind: string; counts: Record<string, number> };
    };
    expect(report.steps.map((s) => [s.acl.name, s.action, s.evidence.action])).toEqual([
      ['off', 'enable', 'off'],
      ['elsewhere', 'update', 'off'],
      ['connected', 'unchanged', 'off'],
      ['old-filter', 'update', 'off'],
      ['fms', 'skip', 'off'],
    ]);
    expect(report.failed).toEqual([{ acl: 'off', error: 'WAFLimitsExceededException: slow down' }]);
    expect(report.change).toMatchObject({
      kind: 'connect',
      status: 'partial',
      counts: { applied: 2, failed: 1 },
      storeProblems: [],
      location: store.location,
    });
    expect(code).toBe(EXIT.partial);
  });

  it('--acl names the web ACLs to connect and reports names that do not exist', async () => {
    const { code, out } = await connect({ acl: ['off', 'nope'] });
    expect(out).toMatch(/enabled\s+off/);
    expect(out).toMatch(/not found\s+nope/);
    expect(ep.operations('PutLoggingConfiguration')).toHaveLength(1);
    expect(ruleNames('elsewhere')).toEqual(['AWS-AWSManagedRulesCommonRuleSet', 'rate-login']);
    expect(code).toBe(EXIT.partial);
  });

  it('connects CLOUDFRONT web ACLs through us-east-1', async () => {
    ep.seedWebAcl({
      name: 'cdn',
      scope: 'CLOUDFRONT',
      rules: [managedGroupRule('AWSManagedRulesCommonRuleSet', 0)],
    });
    const { code } = await connect({ scope: 'CLOUDFRONT', stream: STREAM.replace('eu-west-1', 'us-east-1') });
    expect(code).toBe(EXIT.ok);
    expect(ep.webAcl('cdn', 'CLOUDFRONT', 'us-east-1').acl.Rules?.map((r) => r.Name)).toContain(
      'waftune-evidence-wp-logged-in',
    );
    expect(ep.logging('cdn', 'CLOUDFRONT', 'us-east-1')?.LogDestinationConfigs).toEqual([
      STREAM.replace('eu-west-1', 'us-east-1'),
    ]);
    expect(new Set(ep.requests.map((r) => r.region))).toEqual(new Set(['us-east-1']));
  });
});

describe('waftune connect, changes and rollback as commands', () => {
  let ep: LocalWafv2;
  let dir: string;

  beforeEach(async () => {
    ep = await startLocalWafv2();
    dir = mkdtempSync(join(tmpdir(), 'waftune-connect-cli-'));
    ep.seedWebAcl({ name: 'shop', rules: [managedGroupRule('AWSManagedRulesCommonRuleSet', 0)] });
  });

  afterEach(async () => {
    expect(ep.rejected).toEqual([]);
    await ep.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const waftune = (...args: string[]) =>
    runCli([...args, '--state-dir', join(dir, 'state')], {
      HOME: dir,
      AWS_ENDPOINT_URL_WAFV2: ep.url,
      AWS_ACCESS_KEY_ID: 'AKIDLOCALTEST',
      AWS_SECRET_ACCESS_KEY: 'local-secret',
      AWS_REGION: undefined,
      AWS_PROFILE: undefined,
      AWS_CONFIG_FILE: join(dir, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
      WAFTUNE_AUDIT_URL: undefined,
      NO_COLOR: '1',
      NODE_NO_WARNINGS: '1',
    });

  it('connects in the stream’s region, records the change, and rolls it back', async () => {
    const dry = await waftune('connect', '--stream', STREAM, '--dry-run');
    expect(dry.stdout).toMatch(/would enable\s+shop\s+logging is off/);
    expect(ep.operations('UpdateWebACL')).toEqual([]);

    const done = await waftune('connect', '--stream', STREAM);
    expect(done.stderr).toBe('');
    expect(done.code).toBe(EXIT.ok);
    expect(done.stdout).toMatch(/enabled\s+shop/);
    const id = /To undo: waftune rollback (\S+)/.exec(done.stdout)?.[1] ?? '';
    expect(id).not.toBe('');
    expect(ep.logging('shop')?.LogDestinationConfigs).toEqual([STREAM]);

    const changes = await waftune('changes');
    expect(changes.stdout).toContain(`${id}`);
    expect(changes.stdout).toContain('connect logging and evidence rule (1 web ACL): 2 applied');

    const undo = await waftune('rollback', id, '--yes');
    expect(undo.code).toBe(EXIT.ok);
    expect(undo.stdout).toContain('- logging of shop (REGIONAL eu-west-1): delete (logging was off before)');
    expect(ep.logging('shop')).toBeUndefined();
    expect(ep.webAcl('shop').acl.Rules?.map((r) => r.Name)).toEqual(['AWS-AWSManagedRulesCommonRuleSet']);
  }, 60_000);
});
