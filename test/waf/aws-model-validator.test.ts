import { describe, expect, it } from 'vitest';
import { AwsModelValidator, loadAwsModel } from '../support/aws-model-validator.js';
import { awsModelPath } from '../support/vendored.js';
import { WAFV2_MODEL_PATH } from '../support/wafv2-local-endpoint.js';

const waf = new AwsModelValidator(loadAwsModel(WAFV2_MODEL_PATH), {
  exactlyOneOf: ['Statement', 'FieldToMatch', 'RuleAction'],
});
const uuid = '0f2b6c1e-1111-4c4c-9d9d-0123456789ab';

const byteMatch = {
  ByteMatchStatement: {
    SearchString: Buffer.from('/wp-admin/').toString('base64'),
    FieldToMatch: { UriPath: {} },
    TextTransformations: [{ Priority: 0, Type: 'NONE' }],
    PositionalConstraint: 'STARTS_WITH',
  },
};

describe('AWS model validator', () => {
  it('accepts a valid UpdateWebACL body with nested statements', () => {
    const body = {
      Name: 'site-a',
      Scope: 'REGIONAL',
      Id: uuid,
      LockToken: uuid,
      DefaultAction: { Allow: {} },
      VisibilityConfig: {
        SampledRequestsEnabled: true,
        CloudWatchMetricsEnabled: true,
        MetricName: 'site-a',
      },
      Rules: [
        {
          Name: 'r1',
          Priority: 0,
          Statement: {
            NotStatement: { Statement: { AndStatement: { Statements: [byteMatch, byteMatch] } } },
          },
          Action: { Block: {} },
          VisibilityConfig: {
            SampledRequestsEnabled: false,
            CloudWatchMetricsEnabled: false,
            MetricName: 'r1',
          },
        },
      ],
    };
    expect(waf.validateInput('UpdateWebACL', body)).toEqual([]);
  });

  it('reports missing required members, bad enums, patterns, lengths and unknown members with their path', () => {
    const errors = waf.validateInput('UpdateWebACL', {
      Name: 'bad name!',
      Scope: 'GLOBAL',
      Id: uuid,
      DefaultAction: { Allow: {} },
      VisibilityConfig: { SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: '' },
      Rules: [{ Name: 'r', Priority: -1, Statement: byteMatch, Action: { Block: {} }, Extra: 1 }],
    });
    const text = errors.join('\n');
    expect(text).toContain('$.LockToken: required member of UpdateWebACLRequest is missing');
    expect(text).toContain('$.Name: "bad name!" does not match the EntityName pattern');
    expect(text).toContain('$.Scope: "GLOBAL" is not one of Scope');
    expect(text).toContain('$.VisibilityConfig.MetricName: MetricName needs at least 1 characters');
    expect(text).toContain('$.Rules[0].Priority: RulePriority must be >= 0');
    expect(text).toContain('$.Rules[0].Extra: Rule has no member Extra');
    expect(text).toContain('$.Rules[0].VisibilityConfig: required member of Rule is missing');
  });

  it('checks blobs are base64, lists keep their minimum, and tagged unions hold exactly one member', () => {
    const statement = {
      ByteMatchStatement: {
        ...byteMatch.ByteMatchStatement,
        SearchString: 'not base64!',
        TextTransformations: [],
      },
      LabelMatchStatement: { Scope: 'LABEL', Key: 'a:b' },
    };
    const errors = waf.validateShape('Statement', statement).join('\n');
    expect(errors).toContain('$.ByteMatchStatement.SearchString: expected a base64 blob');
    expect(errors).toContain(
      '$.ByteMatchStatement.TextTransformations: TextTransformations needs at least 1 items',
    );
    expect(errors).toContain('$: exactly one member of Statement must be set, found 2');
  });

  it('is generic: it validates another service model (Firehose) just as well', () => {
    const firehose = new AwsModelValidator(loadAwsModel(awsModelPath('firehose')));
    expect(
      firehose.validateInput('PutRecord', {
        DeliveryStreamName: 'aws-waf-logs-dev',
        Record: { Data: 'aGVsbG8=' },
      }),
    ).toEqual([]);
    expect(firehose.validateInput('PutRecord', { DeliveryStreamName: 'aws-waf-logs-dev' }).join()).toContain(
      'Record: required member',
    );
  });
});
