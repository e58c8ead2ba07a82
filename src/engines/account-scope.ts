/**
 * `--account` on an engine that cannot delete rows (Athena): every query reads `events` through a
 * common table expression of the same name that keeps only those accounts' web ACLs, so the query
 * files stay one set. The local reader cuts its table with the same predicate instead.
 *
 * The account is the fifth field of the web ACL ARN (arn:aws:wafv2:<region>:<account>:...), in
 * both dialects. The ids are checked to be 12 digits and the table's names to be Glue names,
 * so the text added to a query holds nothing from a log or a user beyond them.
 */

const ACCOUNT_ID = /^\d{12}$/;
/** Glue names: letters, digits, `_` (and `-`, which Athena reads inside double quotes). */
const IDENTIFIER = /^[A-Za-z0-9_-]+$/;

export function accountPredicate(accounts: readonly string[]): string {
  if (accounts.length === 0) throw new Error('no account to keep');
  const bad = accounts.find((a) => !ACCOUNT_ID.test(a));
  if (bad !== undefined) throw new Error(`account ids are 12 digits, not ${JSON.stringify(bad)}`);
  return `split_part(web_acl_arn, ':', 5) IN (${accounts.map((a) => `'${a}'`).join(', ')})`;
}

/**
 * The query with `events` shadowed by the accounts' rows of `table` (qualified, e.g.
 * `["waftune_prod", "events"]`: an unqualified name inside a CTE of the same name is read as the
 * CTE itself by some engines). The query's `?` parameters keep their order: none is added.
 */
export function scopeToAccounts(sql: string, table: readonly string[], accounts: readonly string[]): string {
  if (table.length === 0 || !table.every((p) => IDENTIFIER.test(p)))
    throw new Error(
      `table ${JSON.stringify(table.join('.'))}: expected Glue names (letters, digits, _ and -)`,
    );
  const cte = `events AS (SELECT * FROM ${table.map((p) => `"${p}"`).join('.')} WHERE ${accountPredicate(accounts)})`;
  const start = statementStart(sql);
  const body = sql.slice(start);
  const opening = /^with\s+/i.exec(body);
  if (opening) {
    if (/^recursive\b/i.test(body.slice(opening[0].length)))
      throw new Error('a recursive query cannot be scoped to accounts');
    return `${sql.slice(0, start)}WITH ${cte},\n${body.slice(opening[0].length)}`;
  }
  if (/^select\b/i.test(body)) return `${sql.slice(0, start)}WITH ${cte}\n${body}`;
  throw new Error('only a SELECT or WITH query can be scoped to accounts');
}

/** Where the statement begins, after the leading `--` comment lines and white space. */
function statementStart(sql: string): number {
  let i = 0;
  for (;;) {
    while (i < sql.length && /\s/.test(sql[i] as string)) i++;
    if (!sql.startsWith('--', i)) return i;
    const end = sql.indexOf('\n', i);
    if (end === -1) return sql.length;
    i = end + 1;
  }
}
