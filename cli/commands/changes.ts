import type { Command } from 'commander';
import { changeListSchema, changeRecordSchema } from '../../schemas/change.js';
import { type ChangeEntry, resolveChangeId, webAclState } from '../../src/waf/audit.js';
import { diffRules } from '../../src/waf/diff.js';
import { renderChange, renderChanges, rolledBackBy } from '../../src/waf/render.js';
import { loadConfig } from '../config.js';
import { EXIT } from '../exit.js';
import { WAF_ENV, withHelp } from '../help.js';
import { addWafOptions, auditStore, outputStyle, type WafCommandOptions, writeJson } from './waf-shared.js';

/** `waftune changes [change-id]`: the audit history, or one change with what it did to each target. */

function entryDiff(e: ChangeEntry) {
  return diffRules(webAclState(e.before)?.Rules ?? [], webAclState(e.after)?.Rules ?? []);
}

export function register(program: Command): void {
  const cmd = addWafOptions(
    program
      .command('changes')
      .description('the change history: who applied, connected, rolled back or expired what, and when')
      .argument('[change-id]', 'show one change in detail (id or unique prefix)'),
  ).action(async (changeId: string | undefined, options: WafCommandOptions) => {
    loadConfig(options.config);
    const store = auditStore(options);
    if (changeId) {
      const record = await resolveChangeId(store, changeId);
      // Through the published contract (schemas/json/change.schema.json): what is printed is what it says.
      if (options.json) writeJson(changeRecordSchema.parse(record));
      else process.stdout.write(renderChange(record, outputStyle(), entryDiff));
      process.exitCode = EXIT.ok;
      return;
    }
    const records = await store.list();
    if (options.json) {
      const undone = rolledBackBy(records);
      writeJson(
        changeListSchema.parse(
          records.map((r) => ({
            id: r.header.id,
            kind: r.header.kind,
            createdAt: r.header.createdAt,
            finishedAt: r.summary?.finishedAt ?? null,
            status: r.summary?.status ?? 'interrupted',
            actor: r.header.actor,
            suggestions: r.header.suggestions.map((s) => s.id),
            counts: r.summary?.counts ?? null,
            rollbackOf: r.header.rollbackOf ?? null,
            rolledBackBy: undone.get(r.header.id) ?? null,
            resumes: r.header.resumes ?? null,
          })),
        ),
      );
    } else process.stdout.write(renderChanges(records, outputStyle()));
    process.exitCode = EXIT.ok;
  });
  withHelp(
    cmd,
    [
      'waftune changes',
      'waftune changes 20261120-1015',
      'waftune changes --audit s3://waftune-prod-logs/changes/ --json',
    ],
    WAF_ENV.filter((v) => !v.name.endsWith('WAFV2')),
  );
}
