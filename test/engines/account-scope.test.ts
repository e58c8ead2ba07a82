import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateFleet } from '../../fixtures/generator/index.js';
import type { WafEvent } from '../../schemas/event.js';
import { accountPredicate, scopeToAccounts } from '../../src/engines/account-scope.js';
import { DuckDbEngine } from '../../src/engines/duckdb.js';
import { listSqlFiles, loadSqlFile } from '../../src/engines/sql-files.js';
import { processRecord } from '../../src/ingest/process.js';
import { everyQueryParams, expectSameRowsEveryQuery, paramsOf } from '../support/query-params.js';

const KEPT = '111122223333';
const OTHER = '444455556666';

/** A generated fleet whose web ACLs are split between two accounts, every second ACL the other's. */
function twoAccountFleet(): WafEvent[] {
  const arns: string[] = [];
  const out: WafEvent[] = [];
  for (const { record } of generateFleet({ seed: 41, day: '2026-09-03', sites: 12, realism: 'hosting' })) {
    const r = processRecord(record);
    if (!r.ok) throw new Error(r.reason);
    const e = r.event;
    if (!arns.includes(e.web_acl_arn)) arns.push(e.web_acl_arn);
    const account = arns.indexOf(e.web_acl_arn) % 2 === 0 ? KEPT : OTHER;
    const parts = e.web_acl_arn.split(':');
    parts[4] = account;
    out.push({ ...e, web_acl_arn: parts.join(':'), account_id: account });
  }
  return out;
}

describe('--account on an engine that cannot delete rows: each query scoped to the accounts', () => {
  let scoped: DuckDbEngine;
  let cut: DuckDbEngine;
  let fleet: WafEvent[];
  let dir: string;
  beforeAll(async () => {
    fleet = twoAccountFleet();
    dir = mkdtempSync(join(tmpdir(), 'waftune-scope-'));
    for (const name of listSqlFiles())
      writeFileSync(
        join(dir, `${name}.sql`),
        scopeToAccounts(loadSqlFile(name).text, ['main', 'events'], [KEPT]),
      );
    scoped = await DuckDbEngine.create({ queriesDir: dir });
    cut = await DuckDbEngine.create();
    await scoped.loadEvents(fleet);
    await cut.loadEvents(fleet);
    // What the local reader does with --account.
    await cut.sql(`DELETE FROM events WHERE NOT (${accountPredicate([KEPT])})`);
  }, 120_000);
  afterAll(async () => {
    await scoped.close();
    await cut.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives every query of queries/ the rows of the table cut to those accounts', async () => {
    const [left] = await cut.sql('SELECT count(*) AS n, count(DISTINCT web_acl_arn) AS acls FROM events');
    expect(Number(left?.n)).toBeGreaterThan(0);
    expect(Number(left?.n)).toBeLessThan(fleet.length);
    const params = await everyQueryParams(
      cut,
      fleet.filter((e) => e.account_id === KEPT),
    );
    await expectSameRowsEveryQuery(cut, scoped, params);
    const window = (await scoped.run('window', paramsOf('window', params))).rows[0];
    expect(window).toMatchObject({ events: Number(left?.n), web_acls: Number(left?.acls) });
  }, 120_000);

  it('adds nothing but checked account ids and names, and keeps the parameters in order', () => {
    const text = loadSqlFile('blocked_groups').text;
    const out = scopeToAccounts(text, ['waftune_prod', 'events'], [KEPT, OTHER]);
    expect(out.split('?').length).toBe(text.split('?').length);
    expect(out).toContain(
      `"waftune_prod"."events" WHERE split_part(web_acl_arn, ':', 5) IN ('${KEPT}', '${OTHER}')`,
    );
    expect(() => accountPredicate(["111122223333') OR ('1'='1"])).toThrow(/12 digits/);
    expect(() => accountPredicate(['12345'])).toThrow(/12 digits/);
    expect(() => accountPredicate([])).toThrow(/no account/);
    expect(() => scopeToAccounts(text, ['prod"; DROP TABLE x; --', 'events'], [KEPT])).toThrow(/Glue names/);
    expect(() => scopeToAccounts('DELETE FROM events', ['db', 'events'], [KEPT])).toThrow(/SELECT or WITH/);
    expect(() =>
      scopeToAccounts('WITH RECURSIVE t AS (SELECT 1) SELECT * FROM t', ['db', 'events'], [KEPT]),
    ).toThrow(/recursive/);
  });
});
