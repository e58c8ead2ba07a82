// biome-ignore-all lint/suspicious/noTemplateCurlyInString: HCL's template sequences are what this test is about
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { Wafv2Port } from '../../adapters/wafv2.js';
import { HOSTILE_STRINGS } from '../../fixtures/hostile.js';
import { planOutputSchema } from '../../schemas/plan.js';
import { renderCloudFormation } from '../../src/waf/iac/cloudformation.js';
import { iacModel } from '../../src/waf/iac/model.js';
import { fitsRuleBlock, renderTerraform } from '../../src/waf/iac/terraform.js';
import { type Plan, planWork } from '../../src/waf/plan.js';
import { planJson } from '../../src/waf/render.js';
import type { Rule } from '../../src/waf/types.js';
import { prepareWork } from '../../src/waf/work.js';
import { parseHcl } from '../support/hcl.js';
import {
  type LocalWafv2,
  managedGroupRule,
  rateRule,
  startLocalWafv2,
} from '../support/wafv2-local-endpoint.js';
import { ipBlock, override } from './suggestions.js';

/**
 * `plan --format terraform|cloudformation` draw the plan `plan --json` prints: the same rules, in
 * the same order with the same priorities and statements, and values from the logs stay values.
 */

// Values an attacker can put in a path or Host header that mean something to HCL or YAML.
const IAC_HOSTILE = [
  '/${file("/etc/passwd")}',
  '/%{ for x in y }x%{ endfor }',
  '/a"b\\c\\"',
  '/\n# not a comment\nEOT\n',
  '/: key: value',
  '/- !GetAtt Evil.Arn',
  '/&anchor *alias #comment',
  '/$${already}',
];
const LOG_VALUES = [
  ...IAC_HOSTILE,
  ...HOSTILE_STRINGS.filter((h) => Buffer.byteLength(h) <= 190).map((h) => `/${h}`),
];

let ep: LocalWafv2;
let plan: Plan;
let dir: string;

beforeAll(async () => {
  ep = await startLocalWafv2();
  const rules = [managedGroupRule('AWSManagedRulesCommonRuleSet', 1), rateRule('rate-login', 2)];
  ep.seedWebAcl({ name: 'site-deep', rules });
  ep.seedWebAcl({ name: 'site-flat', rules, description: 'shop prod #1, @eu' });
  const port = new Wafv2Port({
    region: 'eu-west-1',
    clientConfig: {
      endpoint: ep.url,
      credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' },
      maxAttempts: 1,
    },
  });
  const suggestions = [
    // Paths, methods and hosts from the logs: AND(label, NOT(AND(OR(paths), method, OR(hosts)))) nests deep.
    override('ovr-deep', ['site-deep'], {
      paths: LOG_VALUES.map((value) => ({ match: 'EXACTLY' as const, value })),
      methods: ['POST'],
      hosts: ['shop.example.com', 'x${y}.example.com'],
    }),
    // One path: fits the provider's rule blocks.
    override('ovr-flat', ['site-flat'], { paths: [{ match: 'STARTS_WITH', value: '/wp-json/${x}/"q"' }] }),
    ipBlock('ipb-1', ['198.51.100.7', '2001:db8::1']),
  ];
  const work = await prepareWork(port, suggestions, {
    region: 'eu-west-1',
    scopes: ['REGIONAL'],
    now: new Date(),
  });
  plan = await planWork(port, work);
  dir = mkdtempSync(join(tmpdir(), 'waftune-iac-'));
}, 60_000);

afterAll(async () => {
  expect(ep.rejected).toEqual([]);
  await ep.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// biome-ignore lint/suspicious/noExplicitAny: the parsers' output is untyped JSON
type Json = any;

const PLACEHOLDER = 'IP-SET-ARN';

/**
 * One shape for the API's JSON, the provider's HCL (as hcl2json reads it) and CloudFormation: keys
 * without case, underscores or plural, every nested object in a list (HCL blocks are lists),
 * search strings as text and waftune's IP set ARNs as one placeholder.
 */
function canonical(value: Json, base64 = false): Json {
  if (Array.isArray(value)) return value.map((v) => canonical(v, base64));
  if (value !== null && typeof value === 'object') {
    const out: Json = {};
    for (const [k, v] of Object.entries(value)) {
      let nk = k.replace(/_/g, '').toLowerCase().replace(/s$/, '');
      let nv: Json = v;
      if (k === 'SearchString' && base64) nv = Buffer.from(v as string, 'base64').toString('utf8');
      if (nk === 'searchstringbase64') {
        nk = 'searchstring';
        nv = Buffer.from(v as string, 'base64').toString('utf8');
      }
      if (nk === 'arn' && (typeof v === 'string' || typeof v === 'object')) nv = PLACEHOLDER;
      nv = canonical(nv, base64);
      out[nk] = nv !== null && typeof nv === 'object' && !Array.isArray(nv) ? [nv] : nv;
    }
    return out;
  }
  return value;
}

function planRules(name: string): Rule[] {
  const acl = plan.acls.find((a) => a.ref.name === name);
  expect(acl?.status).toBe('change');
  return acl?.afterRules ?? [];
}

/** An HCL quoted string's value as Terraform reads it: `$${` and `%%{` are literal `${`, `%{`. */
const hclLiteral = (text: string) => text.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');
function hclStrings(value: Json): Json {
  if (typeof value === 'string') return hclLiteral(value);
  if (Array.isArray(value)) return value.map(hclStrings);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, hclStrings(v)]));
  return value;
}

describe('plan --json', () => {
  it('is what schemas/plan.ts (published as schemas/json/plan.schema.json) describes, member for member', () => {
    const json = JSON.parse(JSON.stringify(planJson(plan)));
    expect(JSON.parse(JSON.stringify(planOutputSchema.parse(json)))).toEqual(json);
    expect(json.webAcls.map((a: Json) => a.status)).toEqual(['change', 'change']);
  });
});

describe('plan --format terraform', () => {
  let hcl: string;
  let parsed: Json;
  beforeAll(async () => {
    hcl = renderTerraform(iacModel(plan), ['test']);
    parsed = await parseHcl('waftune.tf', hcl);
  });

  it('is valid HCL: two web ACL resources and the IP sets they reference', () => {
    expect(Object.keys(parsed.resource.aws_wafv2_web_acl).sort()).toEqual(['site-deep', 'site-flat']);
    const sets = parsed.resource.aws_wafv2_ip_set;
    expect(Object.keys(sets).sort()).toEqual(['waftune_blocked_ipv4', 'waftune_blocked_ipv6']);
    expect(sets.waftune_blocked_ipv4[0]).toMatchObject({
      name: 'waftune-blocked-ipv4',
      scope: 'REGIONAL',
      ip_address_version: 'IPV4',
      addresses: ['198.51.100.7/32'],
    });
  });

  it('gives rule blocks the same rules, priorities and statements as the JSON plan', () => {
    const acl = parsed.resource.aws_wafv2_web_acl['site-flat'][0];
    expect(hclLiteral(acl.description)).toBe('shop prod #1, @eu');
    const rules = planRules('site-flat');
    expect(rules.every(fitsRuleBlock)).toBe(true);
    expect(acl.rule.map((r: Json) => [r.name, r.priority])).toEqual(rules.map((r) => [r.Name, r.Priority]));
    // The override inside the group, the label rule after it, the IP set rule first.
    const group = acl.rule.find((r: Json) => r.name === 'AWS-AWSManagedRulesCommonRuleSet');
    expect(group.statement[0].managed_rule_group_statement[0].rule_action_override).toEqual([
      { name: 'SizeRestrictions_BODY', action_to_use: [{ count: [{}] }] },
    ]);
    expect(acl.rule[0].statement[0].ip_set_reference_statement[0].arn).toBe(
      '${aws_wafv2_ip_set.waftune_blocked_ipv4.arn}',
    );
    const hclRules = hclStrings(acl.rule).map((r: Json) => ({
      ...r,
      statement: r.statement.map((s: Json) =>
        s.ip_set_reference_statement ? { ip_set_reference_statement: [{ arn: PLACEHOLDER }] } : s,
      ),
    }));
    expect(canonical(hclRules)).toEqual(canonical(rules, true));
  });

  it('gives a web ACL whose rules nest deeper than the provider allows as rule_json, the same JSON', () => {
    const acl = parsed.resource.aws_wafv2_web_acl['site-deep'][0];
    expect(acl.rule).toBeUndefined();
    expect(planRules('site-deep').some((r) => !fitsRuleBlock(r))).toBe(true);
    const json = hclLiteral(acl.rule_json).replace(/"\$\{aws_wafv2_ip_set\.\w+\.arn\}"/g, `"${PLACEHOLDER}"`);
    const rules: Json[] = JSON.parse(json);
    const expected = planRules('site-deep').map((r) =>
      r.Statement.IPSetReferenceStatement
        ? { ...r, Statement: { IPSetReferenceStatement: { ARN: PLACEHOLDER } } }
        : r,
    );
    expect(rules).toEqual(JSON.parse(JSON.stringify(expected)));
    // Every hostile path is in the JSON exactly, once decoded.
    const paths = JSON.stringify(rules);
    for (const v of LOG_VALUES.slice(0, 3)) expect(paths).toContain(Buffer.from(v).toString('base64'));
  });

  it('lets no value from the logs out of its string: no interpolation, no raw control character', () => {
    // The only interpolations are waftune's own references.
    const interpolations = [...hcl.matchAll(/(?<!\$)\$\{([^}]*)\}/g)].map((m) => m[1]);
    expect(new Set(interpolations)).toEqual(
      new Set(['aws_wafv2_ip_set.waftune_blocked_ipv4.arn', 'aws_wafv2_ip_set.waftune_blocked_ipv6.arn']),
    );
    expect(hcl).not.toMatch(/(?<!%)%\{/);
    expect(hcl).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    const flat = parsed.resource.aws_wafv2_web_acl['site-flat'][0];
    const override = flat.rule.find((r: Json) => r.name === 'waftune-override-SizeRestrictions_BODY');
    const byteMatch = override.statement[0].and_statement[0].statement[1].not_statement[0].statement[0];
    expect(hclLiteral(byteMatch.byte_match_statement[0].search_string)).toBe('/wp-json/${x}/"q"');
  });
});

describe('plan --format cloudformation', () => {
  let yaml: string;
  beforeAll(() => {
    yaml = renderCloudFormation(iacModel(plan), ['test']);
  });

  it('passes cfn-lint inside a template', (context) => {
    const probe = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
    if (probe.error || probe.status !== 0) {
      console.warn(
        'SKIPPED: cfn-lint is not installed here (pip install cfn-lint); the output was not linted.',
      );
      context.skip();
    }
    const file = join(dir, 'template.yaml');
    writeFileSync(file, `AWSTemplateFormatVersion: "2010-09-09"\n${yaml}`);
    const lint = spawnSync('cfn-lint', [file], { encoding: 'utf8' });
    expect(lint.stdout + lint.stderr).toBe('');
    expect(lint.status).toBe(0);
  }, 120_000);

  it('has the same rules as the JSON plan, the IP sets as resources referenced with GetAtt', () => {
    const template = parseYaml(yaml);
    const resources = template.Resources;
    expect(resources.WaftuneBlockedIpv4).toMatchObject({
      Type: 'AWS::WAFv2::IPSet',
      Properties: { Name: 'waftune-blocked-ipv4', Addresses: ['198.51.100.7/32'] },
    });
    for (const name of ['site-deep', 'site-flat']) {
      const id = name === 'site-deep' ? 'WebAclSiteDeep' : 'WebAclSiteFlat';
      const rules = resources[id].Properties.Rules;
      expect(rules[0].Statement.IPSetReferenceStatement.Arn).toEqual({
        'Fn::GetAtt': ['WaftuneBlockedIpv4', 'Arn'],
      });
      expect(canonical(rules)).toEqual(canonical(planRules(name), true));
    }
    expect(resources.WebAclSiteFlat.Properties.Description).toBe('shop prod #1, @eu');
  });

  it('keeps every log value a quoted string with no raw control character', () => {
    expect(yaml).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(yaml).not.toMatch(/^\s*- !|: !(?!")/m);
    const values = JSON.stringify(parseYaml(yaml));
    // As WAF stores them: UTF-8 (a lone surrogate is already U+FFFD in the plan).
    for (const v of LOG_VALUES)
      expect(values).toContain(JSON.stringify(Buffer.from(v).toString('utf8')).slice(1, -1));
  });
});
