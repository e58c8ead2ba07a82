import { IP_SET_DESCRIPTION, ipSetName } from '../names.js';
import type { Plan } from '../plan.js';
import { byPriority } from '../priorities.js';
import type { IpVersion, Rule, WafLocation, WebAcl, WebAclRef } from '../types.js';

/**
 * What the IaC renderers draw, taken from the plan `waftune plan --json` prints (the same rules
 * after the change, the same IP sets), so a Terraform or CloudFormation snippet can never say
 * something else than the plan: per web ACL its whole rule list after the change, with waftune's
 * changes marked, and waftune's IP sets with every address they will hold.
 */

export interface IacIpSet {
  location: WafLocation;
  name: string;
  version: IpVersion;
  description: string;
  addresses: string[];
}

export interface IacWebAcl {
  ref: WebAclRef;
  acl: WebAcl;
  rules: Rule[];
  /** Rule name -> what the change does to it. */
  changes: Map<string, 'added' | 'changed'>;
  /** Members of the web ACL other than its rules that the snippet leaves to the team's code. */
  untouched: string[];
}

export interface IacModel {
  ipSets: IacIpSet[];
  webAcls: IacWebAcl[];
  /** Web ACLs in the plan that have no change to show, with why. */
  notShown: { ref: WebAclRef; status: string; reason: string }[];
}

/** Members of a read web ACL the snippets render; the rest are listed as untouched. */
export const RENDERED_ACL_MEMBERS = new Set([
  'Name',
  'Id',
  'ARN',
  'Description',
  'DefaultAction',
  'VisibilityConfig',
  'Rules',
  'Capacity',
  'LabelNamespace',
  'ManagedByFirewallManager',
  'RetrofittedByFirewallManager',
  'PreProcessFirewallManagerRuleGroups',
  'PostProcessFirewallManagerRuleGroups',
]);

export function iacModel(plan: Plan): IacModel {
  const ipSets: IacIpSet[] = plan.ipSets
    .filter(
      (s) =>
        s.status === 'create' || s.status === 'update' || s.status === 'unchanged' || s.status === 'extend',
    )
    .map((s) => ({
      location: s.location,
      name: ipSetName(s.version),
      version: s.version,
      description: IP_SET_DESCRIPTION,
      addresses: [...(s.current ?? []), ...s.add.map((a) => a.cidr)],
    }));
  const webAcls: IacWebAcl[] = [];
  const notShown: IacModel['notShown'] = [];
  for (const a of plan.acls) {
    if (a.status !== 'change' || !a.before || !a.afterRules) {
      notShown.push({ ref: a.ref, status: a.status, reason: a.reason ?? a.status });
      continue;
    }
    const changes = new Map<string, 'added' | 'changed'>();
    for (const d of a.diff) {
      if (d.op === 'add') changes.set(d.name, 'added');
      else if (d.op === 'change' && d.lines.some((l) => l.op !== ' ')) changes.set(d.name, 'changed');
    }
    webAcls.push({
      ref: a.ref,
      acl: a.before,
      rules: byPriority(a.afterRules),
      changes,
      untouched: Object.keys(a.before).filter((k) => !RENDERED_ACL_MEMBERS.has(k)),
    });
  }
  return { ipSets, webAcls, notShown };
}

/** The IP set a rule's IPSetReferenceStatement names, when it is one of waftune's. */
export function waftuneIpSetOf(
  arn: string,
  ipSets: readonly IacIpSet[],
  location: WafLocation,
): IacIpSet | undefined {
  const name = /\/ipset\/([\w-]+)\//.exec(arn)?.[1];
  return ipSets.find(
    (s) => s.name === name && s.location.scope === location.scope && s.location.region === location.region,
  );
}
