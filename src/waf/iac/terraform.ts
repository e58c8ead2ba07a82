import { where } from '../render.js';
import type { Rule, WafLocation } from '../types.js';
import { attribute, block, comment, type HclItem, type HclValue, hclString, renderHcl } from './hcl.js';
import { type IacIpSet, type IacModel, type IacWebAcl, waftuneIpSetOf } from './model.js';
import { logicalDepth, safeJson, searchStrings, searchText } from './waf-json.js';

/**
 * `waftune plan --format terraform`: each changed web ACL as the `aws_wafv2_web_acl` resource with
 * its rules after the change (waftune's rules marked), and waftune's IP sets as `aws_wafv2_ip_set`
 * resources the block rules reference. Block and attribute names follow the AWS provider, which
 * mirrors the WAFv2 API in snake_case.
 *
 * The provider nests AND/OR/NOT statements at most three deep in `rule` blocks; a web ACL with a
 * deeper rule (an override whose scope has paths and methods, widened by a second suggestion) is
 * given as `rule_json` (provider 5.x), which takes the API's JSON for every rule of the web ACL.
 */

/** Logical nesting the provider's `rule` blocks accept. */
export const TERRAFORM_MAX_DEPTH = 3;

/** API member -> provider name, where it is not plain snake_case. */
export const TF_NAMES: Record<string, string> = {
  CloudWatchMetricsEnabled: 'cloudwatch_metrics_enabled',
  JA3Fingerprint: 'ja3_fingerprint',
  JA4Fingerprint: 'ja4_fingerprint',
  ARN: 'arn',
};

/** Lists of objects whose repeated block keeps the plural name. */
export const TF_PLURAL_BLOCKS = new Set(['ManagedRuleGroupConfigs']);

export function snakeCase(name: string): string {
  const known = TF_NAMES[name];
  if (known) return known;
  return (name.match(/[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z0-9]+|[A-Z]+[0-9]*/g) ?? [name])
    .map((w) => w.toLowerCase())
    .join('_');
}

/** The repeated block for one element of a list member: `Rules` -> `rule`, `TextTransformations` -> `text_transformation`. */
export function blockName(listMember: string): string {
  const snake = snakeCase(listMember);
  if (TF_PLURAL_BLOCKS.has(listMember)) return snake;
  return snake.endsWith('ies') ? `${snake.slice(0, -3)}y` : snake.replace(/s$/, '');
}

function identifier(text: string): string {
  const id = text.replace(/[^A-Za-z0-9_-]/g, '_');
  return /^[A-Za-z_]/.test(id) ? id : `_${id}`;
}

function ipSetId(set: IacIpSet, all: readonly IacIpSet[]): string {
  const shared = all.filter((s) => s.name === set.name).length > 1;
  const base = set.name.replace(/-/g, '_');
  return shared ? identifier(`${base}_${set.location.scope}_${set.location.region}`.toLowerCase()) : base;
}

interface Ctx {
  location: WafLocation;
  ipSets: readonly IacIpSet[];
}

function arnValue(arn: string, ctx: Ctx): HclValue {
  const set = waftuneIpSetOf(arn, ctx.ipSets, ctx.location);
  return set ? { expression: `aws_wafv2_ip_set.${ipSetId(set, ctx.ipSets)}.arn` } : arn;
}

/** The members of an API object as provider attributes and blocks. */
function body(value: Record<string, unknown>, ctx: Ctx): HclItem[] {
  const items: HclItem[] = [];
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined || v === null) continue;
    const name = snakeCase(key);
    if (key === 'SearchString' && typeof v === 'string') {
      items.push(attribute(name, searchText(v) ?? ''));
    } else if (key === 'ARN' && typeof v === 'string') {
      items.push(attribute(name, arnValue(v, ctx)));
    } else if (key === 'CustomResponseBodies' && typeof v === 'object') {
      for (const [k, b] of Object.entries(v as Record<string, Record<string, unknown>>))
        items.push(block('custom_response_body', [attribute('key', k), ...body(b, ctx)]));
    } else if (Array.isArray(v)) {
      if (v.every((x) => typeof x !== 'object' || x === null)) items.push(attribute(name, v as HclValue[]));
      else for (const x of v) items.push(block(blockName(key), body(x as Record<string, unknown>, ctx)));
    } else if (typeof v === 'object') {
      items.push(block(name, body(v as Record<string, unknown>, ctx)));
    } else {
      items.push(attribute(name, v as HclValue));
    }
  }
  return items;
}

/** Whether a rule can be a `rule` block: nesting within the provider's limit, search strings that are text. */
export function fitsRuleBlock(rule: Rule): boolean {
  return (
    logicalDepth(rule.Statement) <= TERRAFORM_MAX_DEPTH &&
    searchStrings(rule).every((s) => searchText(s) !== undefined)
  );
}

function ruleNote(acl: IacWebAcl, rule: Rule): HclItem[] {
  const change = acl.changes.get(rule.Name);
  return change ? [comment(`waftune: ${change} by this plan`)] : [];
}

/** `rule_json`: the rules as the API's JSON, in a heredoc whose only interpolations are waftune's IP set ARNs. */
function ruleJson(acl: IacWebAcl, ctx: Ctx): HclItem {
  const refs = new Map<string, string>();
  const rules = acl.rules.map((r) => JSON.parse(JSON.stringify(r)) as Rule);
  for (const r of rules) {
    const ref = r.Statement.IPSetReferenceStatement;
    const set = ref ? waftuneIpSetOf(ref.ARN, ctx.ipSets, ctx.location) : undefined;
    if (ref && set) {
      const token = `\u0000waftune-ref-${refs.size}\u0000`;
      refs.set(token, `aws_wafv2_ip_set.${ipSetId(set, ctx.ipSets)}.arn`);
      ref.ARN = token;
    }
  }
  let json = safeJson(rules)
    .replace(/\$\{/g, () => '$${')
    .replace(/%\{/g, () => '%%{');
  for (const [token, expression] of refs)
    json = json.replace(safeJson(token, 0), () => `"\${${expression}}"`);
  return { kind: 'attribute', name: 'rule_json', value: { expression: `<<-EOT\n${json}\nEOT` } };
}

function webAclResource(acl: IacWebAcl, ipSets: readonly IacIpSet[]): HclItem[] {
  const ctx: Ctx = { location: acl.ref, ipSets };
  const a = acl.acl;
  const asJson = !acl.rules.every(fitsRuleBlock);
  const items: HclItem[] = [
    attribute('name', a.Name),
    ...(typeof a.Description === 'string' ? [attribute('description', a.Description)] : []),
    attribute('scope', acl.ref.scope),
    block('default_action', body(a.DefaultAction as Record<string, unknown>, ctx)),
  ];
  if (asJson) {
    items.push(
      comment(
        `rule_json: a rule nests AND/OR/NOT deeper than the ${TERRAFORM_MAX_DEPTH} levels rule blocks allow (AWS provider 5.x)`,
      ),
      ruleJson(acl, ctx),
    );
    for (const [name, change] of acl.changes)
      items.push(comment(`waftune: rule ${name} ${change} by this plan`));
  } else {
    for (const rule of acl.rules) items.push(...ruleNote(acl, rule), block('rule', body(rule, ctx)));
  }
  items.push(block('visibility_config', body(a.VisibilityConfig as unknown as Record<string, unknown>, ctx)));
  const head = [
    comment(`web ACL ${acl.ref.name} (${where(acl.ref)}): ${acl.ref.arn}`),
    ...(acl.ref.scope === 'CLOUDFRONT'
      ? [comment('CLOUDFRONT scope: use the aws provider configured for us-east-1')]
      : []),
    ...(acl.untouched.length
      ? [comment(`unchanged by waftune, keep as in your configuration: ${acl.untouched.join(', ')}`)]
      : []),
  ];
  return [...head, block('resource', items, ['aws_wafv2_web_acl', identifier(acl.ref.name)])];
}

function ipSetResource(set: IacIpSet, all: readonly IacIpSet[]): HclItem[] {
  return [
    comment(
      `waftune's ${set.version} blocks (${where(set.location)}); expiry dates are in the waftune change history`,
    ),
    block(
      'resource',
      [
        attribute('name', set.name),
        attribute('description', set.description),
        attribute('scope', set.location.scope),
        attribute('ip_address_version', set.version),
        attribute('addresses', set.addresses),
        attribute('tags', { object: [['managed-by', 'waftune']] }),
      ],
      ['aws_wafv2_ip_set', ipSetId(set, all)],
    ),
  ];
}

export function renderTerraform(model: IacModel, header: readonly string[] = []): string {
  const parts: string[] = [];
  const intro = [
    ...header,
    'Generated by `waftune plan --format terraform` from the same plan as `waftune plan --json`.',
  ];
  parts.push(renderHcl(intro.map(comment)));
  const used = model.ipSets.filter((s) =>
    model.webAcls.some((a) =>
      a.rules.some((r) => {
        const arn = r.Statement.IPSetReferenceStatement?.ARN;
        return arn !== undefined && waftuneIpSetOf(arn, [s], a.ref) !== undefined;
      }),
    ),
  );
  for (const set of used) parts.push(renderHcl(ipSetResource(set, used)));
  for (const acl of model.webAcls) parts.push(renderHcl(webAclResource(acl, used)));
  for (const n of model.notShown)
    parts.push(renderHcl([comment(`web ACL ${n.ref.name} (${where(n.ref)}): ${n.status}: ${n.reason}`)]));
  return `${parts.join('\n\n')}\n`;
}

export { hclString };
