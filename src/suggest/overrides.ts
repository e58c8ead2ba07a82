import type { Config } from '../../schemas/config.js';
import type { Report } from '../../schemas/report.js';
import type { RuleOverride, Scope } from '../../schemas/suggestion.js';
import { type FinalGroup, independentSource, ipFactsFrom } from '../analyze/fleet.js';
import type { IpProfileRow } from '../analyze/query-rows.js';
import { ID_PLACEHOLDER, pathPrefix } from '../classify/path-key.js';
import { isIntegration } from '../classify/signals/ip-integration.js';
import { signalById } from '../classify/signals.js';
import { CALLBACK_QUERY, isEditorEndpoint, requiresLogin } from '../classify/wordpress-paths.js';
import { type Identity, identityConditions, sessionUnknown, userAgentFamily } from './identity.js';
import { stableId } from './ids.js';
import type { IpBlockMatcher } from './ip-match.js';
import { labelForRule, managedGroup } from './labels.js';
import { groupsByRule, type Replay, replayOverride } from './replay.js';
import { sampleRequests } from './samples.js';
import { ACTION_PARAMS, sharedQueryCondition } from './scope.js';

type NotSuggested = Report['notSuggested'][number];

/** Endpoints where the path says nothing and the query names the action. */
const QUERY_NAMED = new Set(['/', '/index.php', '/wp-admin/admin-ajax.php']);
/** WordPress endpoints every site of the fleet has: an override there needs no host condition. */
const WORDPRESS_COMMON =
  /^\/(wp-admin\/|wp-json\/|wp-comments-post\.php$|wp-login\.php$|xmlrpc\.php$|index\.php$|$)/;
const MAX_SCOPED_HOSTS = 10;

interface Cluster {
  ruleGroup: string;
  ruleId: string;
  pathKey: string;
  /** Who sent these false positives: what the header conditions say to WAF. */
  identity: Identity;
  groups: FinalGroup[];
}

/** A cluster with its scope (methods aside); endpoints that come out with the same scope are one proposal. */
interface ScopedCluster extends Cluster {
  scope: Omit<Scope, 'methods'>;
}

const requestsOf = (groups: readonly FinalGroup[]) => groups.reduce((s, g) => s + g.requests, 0);

function mergeByScope(clusters: Iterable<Cluster>, notSuggested: NotSuggested[]): ScopedCluster[] {
  const merged = new Map<string, ScopedCluster>();
  for (const c of clusters) {
    const scope = narrowScope(c);
    if (typeof scope === 'string') {
      notSuggested.push({ ruleId: c.ruleId, path: c.pathKey, requests: requestsOf(c.groups), why: scope });
      continue;
    }
    const key = JSON.stringify([c.ruleGroup, c.ruleId, scope]);
    const existing = merged.get(key);
    if (existing) existing.groups.push(...c.groups);
    else merged.set(key, { ...c, groups: [...c.groups], scope });
  }
  return [...merged.values()];
}

/**
 * Who sent a false-positive request. A login cookie (or, where the log redacts it, an address that
 * did allowed admin work: WAF sees the real cookie) makes an editor; credentials, a webhook signature
 * or a callback parameter, or a client that is a consistent integration, make an integration.
 */
function identityOf(g: FinalGroup, ip: IpProfileRow | undefined): Identity {
  if (g.wp_session) return 'session';
  const facts = ip && ipFactsFrom(ip);
  if (
    g.auth_scheme !== null ||
    g.known_headers.some((h) => h !== 'x-wp-nonce') ||
    CALLBACK_QUERY.test(g.query) ||
    (facts && isIntegration(facts))
  )
    return 'integration';
  // The log hides the cookie, WAF does not: a write WordPress only takes from a logged-in browser
  // (an upload, a post save; admin-ajax serves visitors too) carries the login cookie, and so does
  // whatever an address that did allowed admin work sends.
  if (sessionUnknown(g) && (requiresLogin(g) || (facts && facts.adminWork > 0))) return 'session';
  return 'visitor';
}

/**
 * Where everything posts to one path (`POST /`), the action the query names (`wc-ajax=checkout`,
 * `wc-api=wc_stripe`) tells the kinds of request apart: each gets its own proposal.
 */
function actionKey(g: FinalGroup): string {
  for (const name of ACTION_PARAMS) {
    const pair = g.query.split('&').find((p) => p.startsWith(`${name}=`));
    if (pair) return name === 'rest_route' ? name : pair;
  }
  return '';
}

/** Integrations are told apart by their user agents' product (`wp-android/`, `GitHub-Actions`). */
const agentKey = (g: FinalGroup, identity: Identity) =>
  identity === 'integration' ? (userAgentFamily(g.user_agent) ?? '') : '';

/**
 * Rule overrides for false positives: one per managed rule, endpoint and kind of sender, with the
 * narrowest scope that covers the blocked requests (header conditions included), kept only when
 * replaying the window shows it would not open the door to attack sources or one-shot sources
 * that the IP blocks do not stop.
 */
export function suggestOverrides(
  groups: readonly FinalGroup[],
  ips: ReadonlyMap<string, IpProfileRow>,
  context: { attackSources: ReadonlySet<string>; ipBlocks: IpBlockMatcher; config: Config },
): { overrides: RuleOverride[]; notSuggested: NotSuggested[] } {
  const { config } = context;
  const replayContext = { attackSources: context.attackSources, ipBlocks: context.ipBlocks, ips };
  const aclsByGroup = new Map<string, Set<string>>();
  const clusters = new Map<string, Cluster>();
  for (const g of groups) {
    if (g.rule_group) {
      const acls = aclsByGroup.get(g.rule_group) ?? new Set<string>();
      acls.add(g.web_acl_arn);
      aclsByGroup.set(g.rule_group, acls);
    }
    if (g.final.verdict !== 'likely-false-positive' || g.rule_action === 'COUNT' || !g.rule_id) continue;
    const identity = identityOf(g, ips.get(g.client_ip));
    const action = QUERY_NAMED.has(g.pathKey) ? actionKey(g) : '';
    const key = [g.rule_group, g.rule_id, g.pathKey, action, identity, agentKey(g, identity)].join('\u0000');
    let c = clusters.get(key);
    if (!c) {
      c = { ruleGroup: g.rule_group ?? '', ruleId: g.rule_id, pathKey: g.pathKey, identity, groups: [] };
      clusters.set(key, c);
    }
    c.groups.push(g);
  }

  const overrides: RuleOverride[] = [];
  const notSuggested: NotSuggested[] = [];
  // The same on every row (queries/ip_profile.sql).
  const filteredLogs = ips.values().next().value?.filtered_logs ?? false;
  const groupsOfRule = groupsByRule(groups);
  for (const c of mergeByScope(clusters.values(), notSuggested)) {
    const requests = requestsOf(c.groups);
    const skip = (why: string) => notSuggested.push({ ruleId: c.ruleId, path: c.pathKey, requests, why });
    if (!managedGroup(c.ruleGroup)) {
      skip(
        c.ruleGroup
          ? 'the rule is in your own rule group: change the rule itself'
          : "the rule is the web ACL's own rule: change the rule itself",
      );
      continue;
    }
    const clientIps = new Set(c.groups.map(independentSource));
    const sites = new Set(c.groups.map((g) => g.host)).size;
    // One office NAT on many sites is as telling as many addresses on one; so is one integration
    // that its credentials and user agent identify.
    const minIps = c.identity === 'integration' ? 1 : config.override.minClientIps;
    const tooFewSources = clientIps.size < minIps && sites < 3;
    if (tooFewSources || requests < config.override.minRequests) {
      skip(`too little evidence (${requests} request(s) from ${clientIps.size} address(es))`);
      continue;
    }
    // Filtered logs (connect's filter) that redact the Cookie header without waftune's login label
    // cannot tell a logged-in editor from a visitor, and hold none of the allowed history that
    // would: an override for "visitors" there could be wider than the login-cookie one the full logs
    // would give.
    if (filteredLogs && c.identity === 'visitor' && c.groups.some(sessionUnknown)) {
      skip(
        'the logs redact the Cookie header, carry no waftune login label and keep no ordinary allowed requests: nothing tells logged-in senders from visitors, so no scope can be narrowed to either (`waftune connect` with its evidence rule shows the login cookie)',
      );
      continue;
    }
    const label = labelForRule(
      c.ruleGroup,
      c.ruleId,
      c.groups.flatMap((g) => g.labels),
    );
    if (!label) {
      skip('the label this rule adds is unknown, so no label rule can keep blocking outside the scope');
      continue;
    }
    const scope: Scope = { methods: [...new Set(c.groups.map((g) => g.method))].sort(), ...c.scope };
    const webAcls = [...(aclsByGroup.get(c.ruleGroup) ?? [])].sort();
    const replay = replayOverride(
      { ruleGroup: c.ruleGroup, ruleId: c.ruleId, scope, webAcls },
      groupsOfRule(c.ruleGroup, c.ruleId),
      replayContext,
    );
    const { impact } = replay;
    const netAttack = impact.wouldAllowFromAttackers - impact.stillBlockedByIpBlocks;
    const netOneShot = replay.fromOneShot - replay.oneShotStopped;
    const attackShare = impact.wouldAllow > 0 ? netAttack / impact.wouldAllow : 0;
    const oneShotShare = impact.wouldAllow > 0 ? netOneShot / impact.wouldAllow : 0;
    if (attackShare + oneShotShare > config.override.maxAttackShare) {
      skip(
        `replay: it would let through ${netAttack + netOneShot} of ${impact.wouldAllow} blocked request(s) from attack sources (${netAttack}) and one-shot sources (${netOneShot}) that no IP block stops`,
      );
      continue;
    }
    // One stray request is no campaign; two or more over the share are.
    if (netOneShot >= 2 && oneShotShare > config.override.maxOneShotShare) {
      skip(
        `replay: ${netOneShot} of the ${impact.wouldAllow} blocked request(s) it would let through come from one-shot sources (nothing else from them in the window), and no condition on ${describeIdentity(c.identity)} tells them from the false positives`,
      );
      continue;
    }
    overrides.push(buildOverride(c, label, scope, webAcls, replay, attackShare + oneShotShare, ips));
  }
  overrides.sort(
    (a, b) => b.evidence.blockedRequests - a.evidence.blockedRequests || a.id.localeCompare(b.id),
  );
  notSuggested.sort(
    (a, b) => b.requests - a.requests || `${a.ruleId} ${a.path}`.localeCompare(`${b.ruleId} ${b.path}`),
  );
  return { overrides, notSuggested };
}

function describeIdentity(identity: Identity): string {
  return identity === 'session'
    ? 'the login cookie'
    : identity === 'integration'
      ? "the integration's credentials and user agent"
      : 'what the visitors send';
}

/** The fewest conditions (methods aside) that cover the cluster, or why no narrow scope exists. */
function narrowScope(c: Cluster): Omit<Scope, 'methods'> | string {
  const scope: Omit<Scope, 'methods'> = {};
  const hasId = c.pathKey.includes(ID_PLACEHOLDER);
  const path = hasId ? pathPrefix(c.pathKey) : c.pathKey;
  if (path === '' || (hasId && path === '/')) return 'the only common path prefix is the site root';
  scope.paths = [{ match: hasId ? 'STARTS_WITH' : 'EXACTLY', value: path }];
  // Reading the home page is one page, not the site; writing to it is anything (checkouts, forms, exploits).
  const readsOnly = c.groups.every((g) => g.method === 'GET' || g.method === 'HEAD');
  if (QUERY_NAMED.has(c.pathKey) && !readsOnly) {
    const query = sharedQueryCondition(c.groups.map((g) => g.query));
    if (query) scope.query = query;
    else if (c.pathKey !== '/wp-admin/admin-ajax.php') {
      return `requests to ${c.pathKey} share no query parameter that names what they do, so no narrow scope exists`;
    }
  }
  if (!scope.query && c.identity === 'integration') {
    const callback = sharedQueryCondition(
      c.groups.map((g) => g.query),
      CALLBACK_PARAMS,
    );
    if (callback) scope.query = callback;
  }
  const hosts = [...new Set(c.groups.map((g) => g.host.toLowerCase()))].sort();
  if (!WORDPRESS_COMMON.test(c.pathKey) && !isEditorEndpoint(c.pathKey)) {
    if (hosts.length > MAX_SCOPED_HOSTS)
      return `a site-specific path seen on ${hosts.length} hosts: review it by hand`;
    scope.hosts = hosts;
  }
  const headers = identityConditions(c.identity, c.groups);
  if (headers.length > 0) scope.headers = headers;
  return scope;
}

/** Query parameters a callback names itself by, wherever it posts. */
const CALLBACK_PARAMS = ['wc-api', 'for'] as const;

function buildOverride(
  c: Cluster,
  label: string,
  scope: Scope,
  webAcls: string[],
  replay: Replay,
  attackShare: number,
  ips: ReadonlyMap<string, IpProfileRow>,
): RuleOverride {
  const { impact } = replay;
  const blockedRequests = c.groups.reduce((s, g) => s + g.requests, 0);
  const clientIps = new Set(c.groups.map((g) => g.client_ip));
  const hosts = new Set(c.groups.map((g) => g.host));
  let visible = 0;
  let sessions = 0;
  for (const g of c.groups) {
    if (g.cookie_redacted) continue;
    visible += g.requests;
    if (g.wp_session) sessions += g.requests;
  }
  const loggedInShare = visible > 0 ? sessions / visible : null;
  const ipsWithAdminWork = [...clientIps].filter((ip) => (ips.get(ip)?.admin_work ?? 0) > 0).length;
  const integrations = [...clientIps].filter((ip) => {
    const p = ips.get(ip);
    return p !== undefined && isIntegration(ipFactsFrom(p));
  }).length;
  const sessionScore =
    c.identity === 'integration'
      ? integrations / clientIps.size
      : (loggedInShare ?? ipsWithAdminWork / clientIps.size);
  const hidden = c.groups.filter((g) => sessionUnknown(g));
  const hiddenAcls = new Set(hidden.map((g) => g.web_acl_arn)).size;
  const confidence =
    0.3 +
    0.2 * Math.min(1, clientIps.size / 10) +
    0.2 * Math.min(1, hosts.size / 5) +
    0.3 * sessionScore -
    attackShare;
  const signalCounts = new Map<string, number>();
  for (const g of c.groups)
    for (const s of g.final.signals) signalCounts.set(s, (signalCounts.get(s) ?? 0) + g.requests);
  const topSignals = [...signalCounts.entries()]
    .filter(([s]) => (signalById(s)?.weight ?? 0) < 0)
    .sort((a, b) => b[1] - a[1])
    .map(([s]) => signalById(s)?.reason ?? s);
  const reasons = [
    `${blockedRequests} blocked request(s) from ${clientIps.size} address(es) on ${hosts.size} site(s)`,
    loggedInShare === null
      ? 'cookies are redacted on these web ACLs: judged by what the addresses did elsewhere'
      : `${Math.round(loggedInShare * 100)}% carried a WordPress logged-in session`,
    `${ipsWithAdminWork} of the addresses also did allowed admin work`,
    ...identityReasons(c.identity, scope, hidden.length, hiddenAcls, integrations),
    `replay: would have let through ${impact.wouldAllow} blocked request(s), ${impact.wouldAllowFromAttackers} from attack sources (${impact.stillBlockedByIpBlocks} of them still stopped by the suggested IP blocks), ${replay.fromOneShot} from one-shot sources (${replay.oneShotStopped} stopped)`,
    ...topSignals.slice(0, 3),
  ];
  return {
    id: stableId('ovr', { g: c.ruleGroup, r: c.ruleId, scope }),
    kind: 'rule-override',
    ruleGroup: c.ruleGroup,
    ruleId: c.ruleId,
    label,
    scope,
    webAcls,
    confidence: Math.round(Math.max(0.05, Math.min(0.99, confidence)) * 100) / 100,
    evidence: {
      blockedRequests,
      distinctIps: clientIps.size,
      sites: hosts.size,
      loggedInShare: loggedInShare === null ? null : Math.round(loggedInShare * 1000) / 1000,
      ipsWithAdminWork,
      hostsSample: [...hosts].sort().slice(0, 5),
      samples: sampleRequests(c.groups),
    },
    impact,
    reasons,
  };
}

/** Why the scope's header conditions are what they are, and how a redacted Cookie header was read. */
function identityReasons(
  identity: Identity,
  scope: Scope,
  hiddenRequests: number,
  hiddenAcls: number,
  integrations: number,
): string[] {
  const out: string[] = [];
  const named = (scope.headers ?? []).map((h) => `${h.name} ${h.match} "${h.value}"`).join(' and ');
  if (identity === 'session') {
    out.push(
      `every one carried a WordPress login cookie: the override requires ${named}, so cookie-less requests on this rule and path stay blocked`,
    );
    if (hiddenRequests > 0)
      out.push(
        `${hiddenRequests} of them were on ${hiddenAcls} web ACL(s) whose logs redact the Cookie header and carry no waftune login label: writes WordPress only accepts from a logged-in browser, or from addresses that did allowed admin work, so WAF, which inspects the real header, finds the login cookie on them (\`waftune connect\` adds the label that shows it in the log)`,
      );
  } else if (identity === 'integration') {
    out.push(
      `sent by integrations (${integrations} consistent integration client(s): credentials or signed callbacks, one user agent, mostly allowed)${named ? `: the override requires ${named}` : ''}${scope.query ? ` and the query ${scope.query.value}` : ''}`,
    );
  } else if (named) {
    out.push(`every one carried the cookie the override requires (${named})`);
  }
  return out;
}
