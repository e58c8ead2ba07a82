import { beforeAll, describe, expect, it } from 'vitest';
import { type GeneratedRecord, generateFleet } from '../../fixtures/generator/index.js';
import { DEFAULT_CONFIG } from '../../schemas/config.js';
import type { WafEvent } from '../../schemas/event.js';
import type { Suggestion } from '../../schemas/suggestion.js';
import type { FinalGroup } from '../../src/analyze/fleet.js';
import type { IpProfileRow } from '../../src/analyze/query-rows.js';
import { type Analysis, analyze } from '../../src/analyze/run-analysis.js';
import { DuckDbEngine } from '../../src/engines/duckdb.js';
import { processRecord } from '../../src/ingest/process.js';
import { suggest } from '../../src/suggest/index.js';
import { EVIDENCE_RULES, evidenceRuleBody } from '../../src/waf/evidence-labels.js';
import { buildLoggingConfiguration } from '../../src/waf/logging-config.js';
import { type CloudRun, throughTheCloud } from '../support/cloud-logging.js';

/**
 * Athena mode against local mode on the same generated fleet day. Local: `analyze` of the full
 * logs. Athena: WAF runs the evidence rule `connect` adds, the logging configuration `connect`
 * sets drops ALLOW records without the label and redacts Cookie and Authorization, the Firehose
 * transform turns what is left into events, and DuckDB holds them as the Glue table does; then
 * the same queries, fold and suggester. Every verdict or suggestion that differs must be one the
 * filtered logs cannot know, and the test says which.
 *
 * The figures (records and bytes kept against keeping everything) are the ones the README quotes.
 */

const FLEET = { seed: 20261007, day: '2026-10-07', sites: 60 };
const STREAM = 'arn:aws:firehose:eu-west-1:111122223333:deliverystream/aws-waf-logs-waftune-prod';

interface Side {
  analysis: Analysis;
  suggestions: Suggestion[];
}

async function analyzeEvents(events: readonly WafEvent[]): Promise<Side> {
  const engine = await DuckDbEngine.create();
  try {
    await engine.loadEvents(events);
    const analysis = await analyze(engine);
    return { analysis, suggestions: suggest(analysis, DEFAULT_CONFIG).suggestions };
  } finally {
    await engine.close();
  }
}

/** One blocked or counted request shape, whatever the cookie columns say (redaction changes those). */
const shape = (g: FinalGroup) =>
  JSON.stringify([
    g.web_acl_arn,
    g.host,
    g.client_ip,
    g.method,
    g.path,
    g.query,
    g.rule_group,
    g.rule_id,
    g.rule_action,
    g.user_agent,
  ]);

function verdicts(side: Side): Map<string, string> {
  const by = new Map<string, Map<string, number>>();
  for (const g of side.analysis.groups) {
    const v = by.get(shape(g)) ?? new Map<string, number>();
    v.set(g.final.verdict, (v.get(g.final.verdict) ?? 0) + g.requests);
    by.set(shape(g), v);
  }
  return new Map([...by].map(([k, v]) => [k, JSON.stringify([...v].sort())]));
}

const suggestionKey = (s: Suggestion) =>
  s.kind === 'ip-block'
    ? `${s.id} ${s.addresses.join(',')}`
    : `${s.id} ${JSON.stringify(s.scope)} ${s.webAcls.length}`;

type Why = 'allowed attack evidence' | 'rule-path crowd' | 'admin work behind a pre-redacted cookie';

/**
 * Why local and Athena see an address differently, from what only the full logs hold: ALLOW
 * requests with attack evidence that no rule acted on (allowed probes, scanner user agents), and
 * admin work the logging filter dropped because its cookie was already redacted before WAF could
 * label it (the fixture's cookie-redacting web ACL; on a real one WAF sees the cookie).
 */
function addressDifference(local?: IpProfileRow, athena?: IpProfileRow): Why | undefined {
  if (!local) return undefined;
  if (local.allowed_attack_requests > 0 && (athena?.attack_requests ?? 0) < local.attack_requests)
    return 'allowed attack evidence';
  if (local.admin_work > (athena?.admin_work ?? 0)) return 'admin work behind a pre-redacted cookie';
  return undefined;
}

describe('Athena-mode verdicts against local ones, with the logging connect sets', () => {
  let records: GeneratedRecord[];
  let localEvents: WafEvent[];
  let local: Side;
  let withEvidence: { cloud: CloudRun; side: Side };
  let withoutEvidence: { cloud: CloudRun; side: Side };
  let keepAll: { cloud: CloudRun; side: Side };

  beforeAll(async () => {
    records = [...generateFleet(FLEET)];
    localEvents = records.map((r) => processRecord(r.record)).flatMap((r) => (r.ok ? [r.event] : []));
    local = await analyzeEvents(localEvents);
    const run = async (rules: typeof EVIDENCE_RULES, keepAllow = false) => {
      const cloud = throughTheCloud(
        records.map((r) => r.record),
        {
          rules: rules.map(evidenceRuleBody),
          logging: (arn) => buildLoggingConfiguration(arn, STREAM, { keepAllow }),
        },
      );
      return { cloud, side: await analyzeEvents(cloud.events) };
    };
    withEvidence = await run(EVIDENCE_RULES);
    withoutEvidence = await run([]);
    keepAll = await run(EVIDENCE_RULES, true);
  }, 240_000);

  it('keeps a fifth of the records and bytes, the labelled ALLOW records among them', () => {
    const { everything, kept, keptAllow, failed } = withEvidence.cloud;
    const bare = withoutEvidence.cloud;
    const figures = {
      records: everything.records,
      bytes: everything.bytes,
      kept: kept.records,
      keptBytes: kept.bytes,
      keptShare: +(kept.records / everything.records).toFixed(3),
      keptBytesShare: +(kept.bytes / everything.bytes).toFixed(3),
      keptAllow,
      withoutEvidence: {
        kept: bare.kept.records,
        keptBytes: bare.kept.bytes,
        keptShare: +(bare.kept.records / bare.everything.records).toFixed(3),
        keptBytesShare: +(bare.kept.bytes / bare.everything.bytes).toFixed(3),
      },
    };
    console.info('logging kept', JSON.stringify(figures));
    expect(failed).toBe(0);
    expect(withEvidence.cloud.events).toHaveLength(kept.records);
    expect(kept.records / everything.records).toBeLessThan(0.3);
    expect(kept.bytes / everything.bytes).toBeLessThan(0.3);
    // The label keeps the logged-in work the filter would drop: more than without it, still a fraction.
    expect(keptAllow).toBeGreaterThan(bare.keptAllow);
    expect(kept.records).toBeGreaterThan(bare.kept.records);
    // Every request a rule acted on (blocked, counted, challenged) reaches Athena.
    const acted = (e: WafEvent) => e.action !== 'ALLOW' || e.rule_action !== null;
    expect(withEvidence.cloud.events.filter(acted).length).toBe(localEvents.filter(acted).length);
  });

  it('gives the same verdicts and suggestions, except what the filtered logs cannot know', () => {
    const lv = verdicts(local);
    const av = verdicts(withEvidence.side);
    const bare = verdicts(withoutEvidence.side);
    // The same blocked and counted requests on both sides.
    expect([...av.keys()].sort()).toEqual([...lv.keys()].sort());

    const ips = (s: Side) => s.analysis.ips;
    const crowdOf = (side: Side, g: FinalGroup) =>
      side.analysis.groups.filter(
        (o) => o.rule_group === g.rule_group && o.rule_id === g.rule_id && o.pathKey === g.pathKey,
      );
    const unexplained: string[] = [];
    const explained = new Map<Why, number>();
    const localGroups = new Map(local.analysis.groups.map((g) => [shape(g), g]));
    for (const [key, verdict] of lv) {
      if (av.get(key) === verdict) continue;
      const g = localGroups.get(key) as FinalGroup;
      let why = addressDifference(ips(local).get(g.client_ip), ips(withEvidence.side).get(g.client_ip));
      // rule-path-crowd reads the share of addresses with attack evidence among those on the rule and endpoint.
      if (
        !why &&
        crowdOf(local, g).some((o) =>
          addressDifference(ips(local).get(o.client_ip), ips(withEvidence.side).get(o.client_ip)),
        )
      )
        why = 'rule-path crowd';
      if (why) explained.set(why, (explained.get(why) ?? 0) + 1);
      else unexplained.push(`${key}: local ${verdict}, athena ${av.get(key)}`);
    }
    const bareDiffs = [...lv].filter(([k, v]) => bare.get(k) !== v).length;
    const diffs = [...lv].filter(([k, v]) => av.get(k) !== v).length;
    console.info(
      'verdict parity',
      JSON.stringify({
        groups: lv.size,
        differ: diffs,
        withoutEvidenceRule: bareDiffs,
        explained: Object.fromEntries(explained),
      }),
    );
    expect(unexplained).toEqual([]);
    // Without the evidence rule, logged-in work vanishes and many more verdicts differ.
    expect(bareDiffs).toBeGreaterThan(diffs * 4);

    const ls = new Map(local.suggestions.map((s) => [suggestionKey(s), s]));
    const as = new Map(withEvidence.side.suggestions.map((s) => [suggestionKey(s), s]));
    const onlyLocal = [...ls.keys()].filter((k) => !as.has(k));
    const onlyAthena = [...as.keys()].filter((k) => !ls.has(k));
    console.info(
      'suggestion parity',
      JSON.stringify({ local: ls.size, athena: as.size, onlyLocal, onlyAthena }),
    );
    for (const k of [...onlyLocal, ...onlyAthena]) {
      const s = (ls.get(k) ?? as.get(k)) as Suggestion;
      // An IP block resting on attack evidence only ALLOW records held (a scanner no rule stopped).
      expect(s.kind, k).toBe('ip-block');
      if (s.kind !== 'ip-block') continue;
      for (const a of s.addresses) {
        const ip = a.replace(/\/(32|128)$/, '');
        expect(addressDifference(ips(local).get(ip), ips(withEvidence.side).get(ip)), k).toBe(
          'allowed attack evidence',
        );
      }
    }
    const kv = verdicts(keepAll.side);
    const keepAllDiffs = [...lv].filter(([k, v]) => kv.get(k) !== v).length;
    const missing = (side: Side) => {
      const keys = new Set(side.suggestions.map(suggestionKey));
      const gone = local.suggestions.filter((s) => !keys.has(suggestionKey(s)));
      return {
        overrides: gone.filter((s) => s.kind === 'rule-override').length,
        ipBlocks: gone.filter((s) => s.kind === 'ip-block').length,
        extra: side.suggestions.filter((s) => !ls.has(suggestionKey(s))).length,
      };
    };
    console.info(
      'other logging',
      JSON.stringify({
        keepAllow: { differ: keepAllDiffs, ...missing(keepAll.side) },
        withoutEvidenceRule: { differ: bareDiffs, ...missing(withoutEvidence.side) },
      }),
    );
    const bareOnlyLocal = local.suggestions.filter(
      (s) => !withoutEvidence.side.suggestions.some((x) => suggestionKey(x) === suggestionKey(s)),
    );
    expect(bareOnlyLocal.filter((s) => s.kind === 'rule-override').length).toBeGreaterThan(0);
  });
});
