import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { glueLayoutJson } from '../../infra/glue-columns.js';
import { EVENT_COLUMNS } from '../../schemas/event.js';
import { exampleRecords, firehoseEvent, firehoseRecord } from './firehose.js';
import { unzip } from './unzip.js';

/**
 * `osls package` offline on a copy of the service (so that parallel runs never share a build
 * folder), then the CloudFormation template it produced is read like a reviewer would.
 */

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const STAGE = 'test';

// biome-ignore lint/suspicious/noExplicitAny: a CloudFormation template read as the JSON it is
type Json = any;
type Resource = { Type: string; Properties: Record<string, Json>; Metadata?: unknown };
let work: string;
let out: string;
let resources: Record<string, Resource>;
let templateText: string;

function resource(type: string): Resource {
  const found = Object.values(resources).filter((r) => r.Type === type);
  expect(found, type).toHaveLength(1);
  return found[0] as Resource;
}

/**
 * A role's statements as deployed: a statement under `Fn::If` counts when its condition holds
 * (`holds`: the conditions that are true for the parameters packaged), else it is left out.
 */
function statements(
  role: Resource,
  holds: readonly string[] = [],
): Array<{ Effect: string; Action: string | string[]; Resource: unknown }> {
  return (role.Properties.Policies as Array<{ PolicyDocument: { Statement: Json[] } }>)
    .flatMap((p) => p.PolicyDocument.Statement)
    .flatMap((s) => {
      const branch = s['Fn::If'] as [string, Json, Json] | undefined;
      if (!branch) return [s];
      const chosen = holds.includes(branch[0]) ? branch[1] : branch[2];
      return chosen?.Ref === 'AWS::NoValue' ? [] : [chosen];
    });
}

function cfnLint(template: string): { output: string; status: number | null } {
  const lint = spawnSync('cfn-lint', [template], { encoding: 'utf8' });
  return { output: lint.stdout + lint.stderr, status: lint.status };
}

const actions = (s: { Action: string | string[] }) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

// Everything the functions' bundles import or package (queries/ ships with digest and alerts).
const SERVICE_FILES = [
  'serverless.yml',
  'package.json',
  'tsconfig.json',
  'infra',
  'functions',
  'src',
  'schemas',
  'adapters',
  'queries',
  // The CDN ranges the transform's normalize bundles (src/cdn/published-edges.ts).
  'vendor/aws-ip-ranges',
  'vendor/cdn-ranges',
];

/** `osls package` of the copied service into `artifact`, with `--param` values beside the test stage's. */
function packageService(artifact: string, params: readonly string[]): void {
  const run = spawnSync(
    process.execPath,
    [
      join(root, 'node_modules', 'osls', 'bin', 'serverless.js'),
      'package',
      '--stage',
      STAGE,
      '--package',
      artifact,
      '--param',
      'rawRetentionDays=7',
      ...params.flatMap((p) => ['--param', p]),
    ],
    {
      cwd: work,
      encoding: 'utf8',
      // No terminal to prompt on, and a deadline: a stuck osls fails the suite instead of hanging it.
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 150_000,
      env: {
        ...process.env,
        SLS_TELEMETRY_DISABLED: '1',
        SLS_NOTIFICATIONS_MODE: 'off',
        AWS_EC2_METADATA_DISABLED: 'true',
      },
    },
  );
  if (run.status !== 0) {
    throw new Error(
      `osls package failed (${run.error?.message ?? `exit ${run.status}`}):\n${run.stdout}\n${run.stderr}`,
    );
  }
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'waftune-sls-'));
  for (const entry of SERVICE_FILES) cpSync(join(root, entry), join(work, entry), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(work, 'node_modules'), 'dir');
  out = join(work, 'artifact');
  packageService(out, []);
  templateText = readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8');
  resources = JSON.parse(templateText).Resources;
}, 180_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('osls package (offline)', () => {
  it('builds a nodejs22.x transform function whose bundle runs', async () => {
    const functions = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(functions.map((f) => f.Properties.Runtime)).toEqual([
      'nodejs22.x',
      'nodejs22.x',
      'nodejs22.x',
      'nodejs22.x',
    ]);
    const files = unzip(readFileSync(join(out, 'transform.zip')));
    const bundle = files.get('functions/transform/handler.mjs');
    expect(bundle, [...files.keys()].join(', ')).toBeDefined();
    // Import the artifact itself, outside the repo, so nothing resolves from node_modules.
    const dir = mkdtempSync(join(tmpdir(), 'waftune-bundle-'));
    mkdirSync(join(dir, 'functions', 'transform'), { recursive: true });
    writeFileSync(join(dir, 'functions', 'transform', 'handler.mjs'), bundle as Buffer);
    const script = `
      const { handler } = await import(${JSON.stringify(pathToFileURL(join(dir, 'functions', 'transform', 'handler.mjs')).href)});
      const event = JSON.parse(process.argv[1]);
      const res = await handler(event, { functionName: 'transform', awsRequestId: 'r', getRemainingTimeInMillis: () => 1000 });
      process.stdout.write('RESULT' + JSON.stringify(res.records.map((r) => [r.recordId, r.result])));
    `;
    const event = firehoseEvent([
      ...exampleRecords().map((t, i) => firehoseRecord(`r${i}`, t)),
      firehoseRecord('bad', '{oops'),
    ]);
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(event)], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, POWERTOOLS_METRICS_DISABLED: 'true' },
    });
    rmSync(dir, { recursive: true, force: true });
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout.slice(run.stdout.indexOf('RESULT') + 6));
    expect(result).toEqual([...exampleRecords().map((_, i) => [`r${i}`, 'Ok']), ['bad', 'ProcessingFailed']]);
  });

  it('passes cfn-lint', (context) => {
    const probe = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
    if (probe.error || probe.status !== 0) {
      console.warn(
        'SKIPPED: cfn-lint is not installed here (pip install cfn-lint); the template was not linted.',
      );
      context.skip();
    }
    expect(cfnLint(join(out, 'cloudformation-template-update-stack.json'))).toEqual({
      output: '',
      status: 0,
    });
  });

  it('holds the Glue table to EVENT_COLUMNS, dt as the projected partition key', () => {
    const table = resource('AWS::Glue::Table').Properties.TableInput;
    const columns = [...table.StorageDescriptor.Columns, ...table.PartitionKeys] as Array<{
      Name: string;
      Type: string;
    }>;
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    expect(columns.map((c) => ({ name: c.Name, type: c.Type })).sort(byName)).toEqual(
      EVENT_COLUMNS.map((c) => ({ name: c.name, type: c.type })).sort(byName),
    );
    expect(table.PartitionKeys).toEqual([{ Name: 'dt', Type: 'string' }]);
    // The data columns keep EVENT_COLUMNS' order.
    expect(table.StorageDescriptor.Columns.map((c: { Name: string }) => c.Name)).toEqual(
      EVENT_COLUMNS.map((c) => c.name).filter((n) => n !== 'dt'),
    );
    expect(table.Parameters).toMatchObject({
      'projection.enabled': 'true',
      'projection.dt.type': 'date',
      'projection.dt.format': 'yyyy-MM-dd',
    });
    expect(JSON.stringify(table.Parameters['storage.location.template'])).toContain('/events/dt=$","{dt}/');
    expect(readFileSync(join(root, 'infra', 'glue-columns.json'), 'utf8')).toBe(glueLayoutJson());
  });

  it('delivers through a DirectPut aws-waf-logs- stream: transform, dt partitions, raw backup, error prefix', () => {
    const stream = resource('AWS::KinesisFirehose::DeliveryStream').Properties;
    expect(stream.DeliveryStreamName).toBe(`aws-waf-logs-waftune-${STAGE}`);
    expect(stream.DeliveryStreamType).toBe('DirectPut');
    const s3 = stream.ExtendedS3DestinationConfiguration;
    expect(s3.Prefix).toBe('events/dt=!{partitionKeyFromLambda:dt}/');
    expect(s3.ErrorOutputPrefix).toMatch(/^failed\/!\{firehose:error-output-type\}\//);
    expect(s3.BufferingHints.SizeInMBs).toBeGreaterThanOrEqual(64);
    expect(s3.DynamicPartitioningConfiguration.Enabled).toBe(true);
    const processor = s3.ProcessingConfiguration.Processors[0];
    expect(processor.Type).toBe('Lambda');
    expect(processor.Parameters).toContainEqual({
      ParameterName: 'LambdaArn',
      ParameterValue: { 'Fn::GetAtt': ['TransformLambdaFunction', 'Arn'] },
    });
    expect(
      s3.DataFormatConversionConfiguration.OutputFormatConfiguration.Serializer.ParquetSerDe,
    ).toBeDefined();
    expect(s3.S3BackupMode).toBe('Enabled');
    expect(s3.S3BackupConfiguration).toMatchObject({ Prefix: 'raw/', CompressionFormat: 'GZIP' });
  });

  it('keeps the bucket private, encrypted, TLS-only, with per-prefix expiry', () => {
    const bucket = (resources.LogBucket as Resource).Properties;
    expect(
      bucket.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm,
    ).toBe('AES256');
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    const expiry = Object.fromEntries(
      (bucket.LifecycleConfiguration.Rules as Array<{ Prefix?: string; ExpirationInDays?: number }>)
        .filter((r) => r.Prefix)
        .map((r) => [r.Prefix, Number(r.ExpirationInDays)]),
    );
    // rawRetentionDays was set on the command line; events keeps its default.
    expect(expiry).toMatchObject({ 'raw/': 7, 'events/': 90 });
    const policy = (resources.LogBucketPolicy as Resource).Properties.PolicyDocument.Statement;
    expect(policy).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  it('gives Athena its own workgroup, result location and bytes-scanned cutoff', () => {
    const wg = resource('AWS::Athena::WorkGroup').Properties;
    expect(wg.Name).toBe(`waftune-${STAGE}`);
    expect(wg.WorkGroupConfiguration.EnforceWorkGroupConfiguration).toBe(true);
    expect(wg.WorkGroupConfiguration.BytesScannedCutoffPerQuery).toBeGreaterThanOrEqual(10_000_000);
    expect(JSON.stringify(wg.WorkGroupConfiguration.ResultConfiguration.OutputLocation)).toContain(
      '/athena-results/',
    );
  });

  it('grants each role only what it uses, and keeps secrets out of the template', () => {
    const roles = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::IAM::Role');
    expect(roles.map(([id]) => id).sort()).toEqual([
      'ExpireRole',
      'FirehoseRole',
      'NotifyRole',
      'TransformRole',
    ]);
    const transform = statements(resources.TransformRole as Resource);
    expect(transform.flatMap(actions).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    // The functions that post to Slack read the webhook's parameter, that one only, at run time.
    const ssm = statements(resources.NotifyRole as Resource).filter((s) =>
      actions(s).some((a) => a.startsWith('ssm:')),
    );
    expect(ssm.flatMap(actions)).toEqual(['ssm:GetParameter']);
    expect(JSON.stringify(ssm[0]?.Resource)).toContain(':parameter/waftune/test/slack-webhook-url');
    for (const fn of Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Function')) {
      expect(JSON.stringify(fn.Properties.Environment ?? {})).not.toMatch(/hooks\.slack\.com|resolve:ssm/);
    }
    for (const [, role] of roles) {
      for (const s of statements(role)) {
        expect(s.Effect).toBe('Allow');
        for (const a of actions(s)) expect(a).not.toMatch(/\*/);
        expect(JSON.stringify(s.Resource)).not.toBe('"*"');
      }
    }
    expect(templateText).not.toMatch(/hooks\.slack\.com|xox[abp]-/);
    expect(templateText).toContain('/waftune/test/slack-webhook-url');
  });

  it("runs expire on a schedule with only the history prefix and waftune's own IP sets", () => {
    const fn = resources.ExpireLambdaFunction as Resource;
    expect(fn.Properties.Handler).toBe('functions/expire/handler.handler');
    expect(fn.Properties.ReservedConcurrentExecutions).toBe(1);
    expect(fn.Properties.Environment.Variables).toMatchObject({
      WAFTUNE_AUDIT_PREFIX: 'changes/',
      WAFTUNE_EXPIRE_CLOUDFRONT: 'false',
      WAFTUNE_BUCKET: { Ref: 'LogBucket' },
    });
    expect(unzip(readFileSync(join(out, 'expire.zip'))).has('functions/expire/handler.mjs')).toBe(true);
    const schedules = Object.values(resources).filter((r) => r.Type === 'AWS::Scheduler::Schedule');
    const expireSchedule = schedules.find((r) =>
      JSON.stringify(r.Properties.Target).includes('ExpireLambdaFunction'),
    );
    expect(expireSchedule?.Properties.ScheduleExpression).toBe('rate(1 hour)');

    const expire = statements(resources.ExpireRole as Resource);
    expect(expire.flatMap(actions).sort()).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      's3:GetObject',
      's3:ListBucket',
      's3:PutObject',
      'wafv2:GetIPSet',
      'wafv2:UpdateIPSet',
    ]);
    const waf = expire.find((s) => actions(s).includes('wafv2:UpdateIPSet'));
    expect(JSON.stringify(waf?.Resource)).toContain(':regional/ipset/waftune-blocked-*/*');
    // The CLOUDFRONT sets only on the stack that is told to expire them (not this one).
    expect(JSON.stringify(waf?.Resource)).not.toContain(':global/ipset/');
    const list = expire.find((s) => actions(s).includes('s3:ListBucket')) as Json;
    expect(list.Condition).toEqual({ StringLike: { 's3:prefix': 'changes/*' } });
    const objects = expire.find((s) => actions(s).includes('s3:PutObject'));
    expect(JSON.stringify(objects?.Resource)).toContain('/changes/*');
    // The digest and alerts read the same history, and may not write it.
    const notifyHistory = statements(resources.NotifyRole as Resource).filter((s) =>
      JSON.stringify(s.Resource).includes('/changes/*'),
    );
    expect(notifyHistory.flatMap(actions)).toEqual(['s3:GetObject']);
  });

  it('lets expire assume the roles of expireRoleArns only when the stack is given some, with its external id', (context) => {
    const roles = [
      'arn:aws:iam::111111111111:role/waftune-expire',
      'arn:aws:iam::222222222222:role/ops/waftune',
    ];
    const withRoles = join(work, 'artifact-roles');
    packageService(withRoles, [`expireRoleArns=${roles.join(',')}`, 'expireExternalId=agency-7f3e']);
    // The params reach the deploy as the stack's parameters ...
    const state = JSON.parse(readFileSync(join(withRoles, 'serverless-state.json'), 'utf8'));
    expect(state.service.provider.stackParameters).toEqual([
      { ParameterKey: 'ExpireRoleArns', ParameterValue: roles.join(',') },
      { ParameterKey: 'ExpireExternalId', ParameterValue: 'agency-7f3e' },
    ]);
    // ... which CloudFormation gives the function, and the AssumeRole statement when there are roles.
    const template = JSON.parse(
      readFileSync(join(withRoles, 'cloudformation-template-update-stack.json'), 'utf8'),
    );
    expect(template.Parameters.ExpireRoleArns).toMatchObject({ Type: 'CommaDelimitedList', Default: '' });
    expect(template.Conditions.HasExpireRoles).toEqual({
      'Fn::Not': [{ 'Fn::Equals': [{ 'Fn::Join': ['', { Ref: 'ExpireRoleArns' }] }, ''] }],
    });
    expect(template.Resources.ExpireLambdaFunction.Properties.Environment.Variables).toMatchObject({
      WAFTUNE_EXPIRE_ROLES: { 'Fn::Join': [',', { Ref: 'ExpireRoleArns' }] },
      WAFTUNE_EXPIRE_EXTERNAL_ID: { Ref: 'ExpireExternalId' },
    });
    const assume = (holds: string[]) =>
      statements(template.Resources.ExpireRole, holds).filter((s) => actions(s).includes('sts:AssumeRole'));
    expect(assume(['HasExpireRoles'])).toEqual([
      { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: { Ref: 'ExpireRoleArns' } },
    ]);
    expect(assume([])).toEqual([]);
    // The stack packaged without them deploys with none.
    expect(
      JSON.parse(readFileSync(join(out, 'serverless-state.json'), 'utf8')).service.provider.stackParameters,
    ).toEqual([
      { ParameterKey: 'ExpireRoleArns', ParameterValue: '' },
      { ParameterKey: 'ExpireExternalId', ParameterValue: '' },
    ]);
    if (spawnSync('cfn-lint', ['--version']).status !== 0) return context.skip();
    expect(cfnLint(join(withRoles, 'cloudformation-template-update-stack.json'))).toEqual({
      output: '',
      status: 0,
    });
  }, 180_000);
});
