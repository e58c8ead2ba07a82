import { EVIDENCE_RULE_PREFIX } from '../../schemas/waftune-labels.js';
import { cutSql, lowerSql, type SqlDialect, sqlString, upperSql } from '../classify/sql-fold.js';
import { listSql } from './sql-dialect.js';

/**
 * src/ingest/rule-match.ts in SQL, for the Athena view over raw WAF logs (and, in the DuckDB
 * dialect, for the test that holds it to the TypeScript). It reads the raw record's columns by the
 * names the Athena table gives them (lower case: terminatingruleid, rulegrouplist, ...).
 *
 * Covered as in TypeScript: the terminating rule; the terminating group found by name
 * (`<vendor>-<name>`, the group's name, a rule group ARN's name, ignoring case), by
 * `terminatingRuleType` and by elimination (the last tripped group no top-level COUNT entry names);
 * Count-mode groups, excluded rules and counted rules in evaluation order, a Count-mode group's
 * top-level entry paired with it by name. Not covered (the TypeScript pairs these too): a Count-mode
 * group's top-level entry found only by equal match details or by position; such an entry is kept
 * here as a web ACL rule that counted. Those are the rare records where the log names neither.
 */
export function ruleColumnsSql(d: SqlDialect): { term_group: string; counted_all: string } {
  const L = listSql(d);
  const lower = (x: string) => lowerSql(x, d);
  const upper = (x: string) => upperSql(x, d);
  const namesGroup = (rule: string, gid: string) => {
    const lr = lower(rule);
    const lg = lower(gid);
    const arnName = `coalesce(regexp_extract(${lg}, '/rulegroup/([^/]+)', 1), '')`;
    const name = `CASE WHEN strpos(${lg}, '#') = 0 THEN ${lg} ELSE regexp_extract(${lg}, '#([^#]*)\\z', 1) END`;
    const vendor = `regexp_replace(${lg}, '#[^#]*\\z', '')`;
    return `(CASE WHEN ${arnName} <> '' THEN ${lr} = ${arnName} ELSE ${name} <> '' AND (${lr} = ${name} OR (strpos(${lg}, '#') > 0 AND ${lr} = ${vendor} || '-' || ${name})) END)`;
  };
  // waftune's evidence rules only label: they never explain a request (rule-match.ts).
  const isCount = (r: string) =>
    `(${upper(`${r}.action`)} = 'COUNT' AND NOT starts_with(${r}.ruleid, ${sqlString(EVIDENCE_RULE_PREFIX)}))`;
  const overridden = (r: string) =>
    `(${r}.overriddenaction IS NOT NULL AND ${r}.overriddenaction <> '' AND ${upper(`${r}.overriddenaction`)} <> 'COUNT')`;
  const terminated = `(terminatingruleid <> '' AND terminatingruleid <> 'Default_Action')`;
  const topCounts = L.filter('coalesce(nonterminatingmatchingrules, ARRAY[])', `t -> ${isCount('t')}`);
  const tripped = L.filter('coalesce(rulegrouplist, ARRAY[])', 'g -> g.terminatingrule IS NOT NULL');
  const named = L.filter(tripped, `g -> ${namesGroup('terminatingruleid', 'g.rulegroupid')}`);
  const unaccounted = L.filter(
    tripped,
    `g -> NOT ${L.anyMatch(topCounts, `t -> ${namesGroup('t.ruleid', 'g.rulegroupid')}`)}`,
  );
  const termGroup = `CASE WHEN ${terminated} AND ${upper("coalesce(terminatingruletype, '')")} NOT IN ('REGULAR', 'RATE_BASED') THEN coalesce(${L.first(named)}, ${L.last(unaccounted)}) END`;
  const T = { grp: 'VARCHAR', rid: 'VARCHAR', acl: 'VARCHAR', ov: 'BOOLEAN' } as const;
  const perGroup = `g -> ${L.concat(
    L.transform(
      L.filter('coalesce(g.nonterminatingmatchingrules, ARRAY[])', `r -> ${isCount('r')}`),
      `r -> ${L.row({ grp: 'g.rulegroupid', rid: 'r.ruleid', acl: 'NULL', ov: overridden('r') }, T)}`,
    ),
    L.transform(
      L.filter(
        'coalesce(g.excludedrules, ARRAY[])',
        `x -> x.ruleid IS NOT NULL AND (x.exclusiontype IS NULL OR ${upper('x.exclusiontype')} = 'EXCLUDED_AS_COUNT')`,
      ),
      `x -> ${L.row({ grp: 'g.rulegroupid', rid: 'x.ruleid', acl: 'NULL', ov: 'TRUE' }, T)}`,
    ),
    `CASE WHEN g.terminatingrule IS NOT NULL AND NOT coalesce(g.rulegroupid = term_group.rulegroupid, FALSE) THEN ARRAY[${L.row(
      {
        grp: 'g.rulegroupid',
        rid: 'g.terminatingrule.ruleid',
        acl: `${L.first(L.transform(L.filter(topCounts, `t -> ${namesGroup('t.ruleid', 'g.rulegroupid')}`), 't -> t.ruleid'))}`,
        ov: 'TRUE',
      },
      T,
    )}] ELSE ${L.emptyRows(T)} END`,
  )}`;
  const counted = L.concat(
    `flatten(${L.transform('coalesce(rulegrouplist, ARRAY[])', perGroup)})`,
    L.transform(
      L.filter(
        topCounts,
        `t -> NOT ${L.anyMatch(tripped, `g -> NOT coalesce(g.rulegroupid = term_group.rulegroupid, FALSE) AND ${namesGroup('t.ruleid', 'g.rulegroupid')}`)}`,
      ),
      `t -> ${L.row({ grp: 'NULL', rid: 't.ruleid', acl: 'NULL', ov: overridden('t') }, T)}`,
    ),
  );
  return { term_group: termGroup, counted_all: counted };
}

/** The events' rule columns from term_group and counted_all (a relation that has both). */
export function ruleEventColumnsSql(d: SqlDialect): Record<string, string> {
  const L = listSql(d);
  const upper = (x: string) => upperSql(x, d);
  const terminated = `(terminatingruleid <> '' AND terminatingruleid <> 'Default_Action')`;
  const countHit = `coalesce(${L.first(L.filter('counted_all', 'c -> c.ov'))}, ${L.first('counted_all')})`;
  const ruleId = `CASE WHEN ${terminated} THEN coalesce(term_group.terminatingrule.ruleid, terminatingruleid) ELSE ${countHit}.rid END`;
  const group = `CASE WHEN ${terminated} THEN term_group.rulegroupid ELSE ${countHit}.grp END`;
  const cut = (x: string, n: number) => cutSql(x, n);
  return {
    rule_action: `CASE WHEN ${terminated} THEN ${cut(upper('action'), 32)} WHEN cardinality(counted_all) > 0 THEN 'COUNT' END`,
    acl_rule: `CASE WHEN ${terminated} THEN ${cut('terminatingruleid', 256)} ELSE ${cut(`${countHit}.acl`, 256)} END`,
    rule_group: cut(group, 512),
    rule_id: cut(ruleId, 256),
    counted_rules: L.transform(
      'slice(counted_all, 1, 50)',
      `c -> CASE WHEN c.grp IS NULL THEN ${cut('c.rid', 256)} ELSE ${cut('c.grp', 512)} || '|' || ${cut('c.rid', 256)} END`,
    ),
  };
}
