import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateFleet } from '../../fixtures/generator/index.js';
import { hostileRecords } from '../../fixtures/hostile.js';
import { EVENT_COLUMNS, FLEET_FACT_COLUMNS, type WafEvent } from '../../schemas/event.js';
import { DuckDbEngine } from '../../src/engines/duckdb.js';
import { processRecord, processRecordText } from '../../src/ingest/process.js';
import { eventFixture } from '../support/events.js';
import { everyQueryParams, expectSameRowsEveryQuery } from '../support/query-params.js';
import { awsDocExampleLines } from '../support/vendored.js';

/**
 * The local reader loads only FLEET_FACT_COLUMNS of the events no rule acted on. Every query of
 * `queries/` must give the same rows over that load as over the full events (what Athena's table
 * holds), on a generated hosting fleet (CDN fronts, forged X-Forwarded-For, integrations, IPv6),
 * AWS's documented records, hostile copies of an allowed one, and a blocked integration whose
 * allowed calls carry a webhook signature, credentials and a login cookie.
 */
function events(): WafEvent[] {
  const out: WafEvent[] = [];
  const keep = (r: ReturnType<typeof processRecord>) => {
    if (!r.ok) throw new Error(r.reason);
    out.push(r.event);
  };
  for (const { record } of generateFleet({ seed: 73, day: '2026-09-02', sites: 10, realism: 'hosting' }))
    keep(processRecord(record));
  const examples = awsDocExampleLines();
  for (const line of examples) keep(processRecordText(line));
  const allowedExample = examples.map((l) => JSON.parse(l)).find((r) => r.action === 'ALLOW');
  for (const record of hostileRecords({ ...allowedExample, terminatingRuleId: 'Default_Action' }))
    keep(processRecord(record));
  const integration = { client_ip: '192.0.2.55', host: 'shop.example' };
  out.push(eventFixture(integration));
  const allowed = { ...integration, action: 'ALLOW', rule_action: null, rule_group: null, rule_id: null };
  out.push(
    eventFixture({
      ...allowed,
      method: 'POST',
      path: '/',
      known_headers: ['stripe-signature'],
    }),
  );
  out.push(eventFixture({ ...allowed, auth_scheme: 'Basic', path: '/wp-json/wc/v3/orders' }));
  out.push(eventFixture({ ...allowed, method: 'POST', path: '/', query: 'wc-api=wc_gateway_paypal' }));
  out.push(
    eventFixture({
      ...allowed,
      wp_session: true,
      session_cookies: ['wordpress_logged_in'],
      path: '/wp-admin/post.php',
    }),
  );
  return out;
}

describe('events no rule acted on, loaded with the fleet-fact columns only', () => {
  let full: DuckDbEngine;
  let trimmed: DuckDbEngine;
  let loaded: WafEvent[];
  beforeAll(async () => {
    loaded = events();
    full = await DuckDbEngine.create();
    trimmed = await DuckDbEngine.create();
    await full.loadEvents(loaded);
    await trimmed.loadEvents(loaded, { trimUnacted: true });
  }, 120_000);
  afterAll(async () => {
    await full.close();
    await trimmed.close();
  });

  it('leaves out every other column of those events, and keeps the acted-on ones whole', async () => {
    const unacted = loaded.filter((e) => e.rule_action === null).length;
    expect(unacted).toBeGreaterThan(loaded.length / 2);
    const dropped = EVENT_COLUMNS.map((c) => c.name).filter(
      (n) => !(FLEET_FACT_COLUMNS as readonly string[]).includes(n),
    );
    const counts = dropped.map((n) => `count(${n}) AS ${n}`).join(', ');
    const [inTrimmed] = await trimmed.sql(`SELECT ${counts} FROM events WHERE rule_action IS NULL`);
    expect(Object.values(inTrimmed ?? {}).every((n) => n === 0)).toBe(true);
    const [inFull] = await full.sql(`SELECT count(request_id) AS n FROM events WHERE rule_action IS NULL`);
    expect(inFull?.n).toBe(unacted);
    const acted = `SELECT * FROM events WHERE rule_action IS NOT NULL ORDER BY ts, request_id, client_ip, path`;
    expect(await trimmed.sql(acted)).toEqual(await full.sql(acted));
  });

  it('gives every query of queries/ the same rows as the full events', async () => {
    const params = await everyQueryParams(full, loaded);
    await expectSameRowsEveryQuery(full, trimmed, params);
  }, 120_000);
});
