import { type Command, Option } from 'commander';
import { globalAwsFailure } from '../../adapters/aws-errors.js';
import type { Wafv2Port } from '../../adapters/wafv2.js';
import type { Config } from '../../schemas/config.js';
import type { DecisionsReport } from '../../schemas/decision.js';
import { type Declined, type PlanOutput, planOutputSchema } from '../../schemas/plan.js';
import type { Suggestion } from '../../schemas/suggestion.js';
import { applyDecisions } from '../../src/suggest/decisions.js';
import { terminalSafe } from '../../src/text/terminal.js';
import { ipBlockLedger } from '../../src/waf/expire.js';
import { renderCloudFormation } from '../../src/waf/iac/cloudformation.js';
import { iacModel } from '../../src/waf/iac/model.js';
import { renderTerraform } from '../../src/waf/iac/terraform.js';
import { type Plan, planWork, WEB_ACL_MAX_WCU } from '../../src/waf/plan.js';
import { commonFailure, everyTargetFailed } from '../../src/waf/plan-health.js';
import type { WafPort } from '../../src/waf/port.js';
import { countPlan, emptyPlanJson, planJson, renderPlan } from '../../src/waf/render.js';
import { selectSuggestions } from '../../src/waf/suggestions.js';
import type { WafScope } from '../../src/waf/types.js';
import { prepareWork } from '../../src/waf/work.js';
import { loadConfig } from '../config.js';
import { EXIT, type ExitCode, UsageError } from '../exit.js';
import { WAF_ENV, withHelp } from '../help.js';
import { addAccountOption, allUnavailable, type Fleet, openFleet } from './fleet.js';
import {
  addWafOptions,
  auditStore,
  loadSuggestionSet,
  outputStyle,
  parseMaxWcu,
  readDecisions,
  type WafCommandOptions,
  wafPort,
  writeJson,
} from './waf-shared.js';

/** `waftune plan [ID...]`: what apply would change, per web ACL, with the WCU before and after. Reads only. */

export interface PlanInput {
  suggestions: Parameters<typeof prepareWork>[1];
  options: WafCommandOptions;
  /** Only these web ACLs (ARNs), e.g. the ones an interrupted run did not finish. */
  acls?: string[];
  /** Accounts all of whose web ACLs are targets whatever `acls` says (resuming a run they missed). */
  wholeAccounts?: string[];
}

/** Where plan and apply work: the default credentials' account, or every account of the fleet file. */
export interface Targets {
  port: WafPort;
  /** The default credentials' port (single-account runs), for the default region. */
  single?: Wafv2Port;
  fleet?: Fleet;
  config: Config;
}

export async function openTargets(options: WafCommandOptions): Promise<Targets> {
  const config = loadConfig(options.config);
  const fleet = await openFleet(config, options);
  if (fleet) return { port: fleet.port, fleet, config };
  const single = wafPort(options);
  return { port: single, single, config };
}

/**
 * One cheap call before the plan, so that a cause that would fail every web ACL (no credentials,
 * no network) is said once, as a failure, instead of once per web ACL.
 */
export async function preflight(port: WafPort, region: string | undefined): Promise<void> {
  try {
    await port.listWebAcls(
      region ? { scope: 'REGIONAL', region } : { scope: 'CLOUDFRONT', region: 'us-east-1' },
    );
  } catch (error) {
    const cause = globalAwsFailure(error);
    // Anything else (a missing permission in this region) is the plan's to report, per target.
    if (cause) throw new Error(cause);
  }
}

export async function computePlan(targets: Targets, input: PlanInput): Promise<Plan> {
  const { options } = input;
  const maxWcu = parseMaxWcu(options.maxWcu);
  let region = 'us-east-1';
  let scopes: WafScope[] | undefined;
  const problems: string[] = [];
  if (targets.single) {
    try {
      region = await targets.single.defaultRegion();
    } catch {
      scopes = ['CLOUDFRONT'];
      problems.push(
        'no AWS region set: only CLOUDFRONT web ACLs were looked at (pass --region or set AWS_REGION)',
      );
    }
  }
  // A fleet reports an unreachable account on its own (fleetFailure); one account is checked here.
  if (targets.single) await preflight(targets.single, scopes ? undefined : region);
  const ledger = ipBlockLedger(await auditStore(options).list());
  const acls = input.acls ?? options.acl;
  const fleet = targets.fleet;
  const work = await prepareWork(targets.port, input.suggestions, {
    region,
    ...(scopes ? { scopes } : {}),
    ...(acls?.length || input.wholeAccounts?.length ? { acls: acls ?? [] } : {}),
    now: new Date(),
    allowlist: targets.config.allowlist,
    ...(fleet
      ? {
          fleet: {
            accounts: fleet.accounts,
            unavailable: fleet.unavailable,
            notSelected: fleet.notSelected,
            ...(input.wholeAccounts ? { whole: input.wholeAccounts } : {}),
          },
        }
      : {}),
  });
  work.problems.unshift(...problems);
  return planWork(targets.port, work, { ledger, ...(maxWcu ? { maxWcu } : {}) });
}

export interface Selection {
  suggestions: Suggestion[];
  /** Declined suggestions left out (no ids given) or taken anyway (--include-declined). */
  leftOut: DecisionsReport['held'];
  included: DecisionsReport['held'];
}

/**
 * The suggestions plan and apply act on, with the team's decisions applied: with no ids, every
 * saved suggestion but the declined ones still held (a decision taken after the suggestions were
 * saved counts too); a declined one named by id is refused unless --include-declined.
 */
export async function selectForChange(
  options: WafCommandOptions,
  ids: readonly string[],
): Promise<Selection> {
  const set = loadSuggestionSet(options);
  const all = [...set.suggestions, ...(set.declined ?? [])];
  const decisions = await readDecisions(options);
  const { held } = applyDecisions(all, set.window, decisions, new Date());
  const heldById = new Map(held.map((h) => [h.suggestion.id, h]));
  if (!ids.length) {
    return {
      suggestions: all.filter((x) => !heldById.has(x.id)),
      leftOut: held,
      included: [],
    };
  }
  const selected = selectSuggestions({ ...set, suggestions: all }, ids);
  const named = selected.flatMap((x) => {
    const h = heldById.get(x.id);
    return h ? [h] : [];
  });
  if (named.length && !options.includeDeclined) {
    throw new Error(
      [
        ...named.map((h) => `${terminalSafe(h.suggestion.id)} was ${terminalSafe(h.decision.note, 400)}`),
        'pass --include-declined to act on it anyway, or waftune decisions --undo <id> to take the decision back',
      ].join('\n'),
    );
  }
  return { suggestions: selected, leftOut: [], included: named };
}

/** One line on what the decisions left out or let in, for people (nothing when they did neither). */
export function selectionNote(selection: Selection): string {
  if (selection.included.length)
    return `Including ${selection.included.length} declined suggestion(s) (--include-declined): ${selection.included.map((h) => terminalSafe(h.suggestion.id)).join(', ')}\n\n`;
  if (selection.leftOut.length)
    return `Left out ${selection.leftOut.length} declined suggestion(s): ${selection.leftOut.map((h) => terminalSafe(h.suggestion.id)).join(', ')} (waftune decisions)\n\n`;
  return '';
}

/** Through the published contract (schemas/json/plan.schema.json): what is printed is what it says. */
function printPlanJson(out: PlanOutput): void {
  writeJson(planOutputSchema.parse(out));
}

export function selectionJson(selection: Selection): { declined: Declined } {
  return {
    declined: [...selection.leftOut, ...selection.included].map((h) => ({
      suggestionId: h.suggestion.id,
      included: selection.included.includes(h),
      decision: h.decision,
    })),
  };
}

/** Exit code of a run that could not reach any account of the fleet: a failure, said once. */
export function fleetFailure(targets: Targets): boolean {
  return allUnavailable(targets.fleet);
}

/** 1 when every target failed; 2 when some web ACL or IP set could not be planned, or some input was skipped. */
export function planExitCode(plan: Plan): ExitCode {
  if (everyTargetFailed(plan)) return EXIT.failed;
  const bad =
    plan.acls.some((a) => a.status === 'refused' || a.status === 'failed') ||
    plan.ipSets.some((x) => x.status === 'refused' || x.status === 'failed') ||
    plan.work.skipped.length > 0 ||
    plan.work.problems.length > 0;
  return bad ? EXIT.partial : EXIT.ok;
}

export function addTargetOptions(cmd: Command): Command {
  return addAccountOption(cmd)
    .option('--include-declined', 'act on declined suggestions named by id (refused without it)')
    .option('--suggestions <file>', 'suggestion set to read (default: <state-dir>/suggestions.json)')
    .option('--acl <name...>', 'only these web ACLs (names or ARNs)')
    .option(
      '--max-wcu <n>',
      'refuse a web ACL that would need more WCU than this (default 5000, the WAF maximum)',
    );
}

export const PLAN_FORMATS = ['text', 'json', 'terraform', 'cloudformation'] as const;
export type PlanFormat = (typeof PLAN_FORMATS)[number];

interface PlanCommandOptions extends WafCommandOptions {
  format: PlanFormat;
}

export function planFormat(options: PlanCommandOptions): PlanFormat {
  if (options.json && options.format !== 'text' && options.format !== 'json')
    throw new UsageError(`--json and --format ${options.format} ask for two outputs; give one`);
  return options.json ? 'json' : options.format;
}

function iacHeader(plan: Plan): string[] {
  const c = countPlan(plan);
  return [
    `waftune plan, ${new Date().toISOString()}: ${c.change} web ACL(s) to change, ${c.unchanged} unchanged, ${c.refused} refused, ${c.failed} failed.`,
    `Suggestions: ${plan.work.suggestions.map((s) => s.id).join(', ')}`,
  ];
}

export function register(program: Command): void {
  const cmd = addWafOptions(
    addTargetOptions(
      program
        .command('plan')
        .description(
          'show what apply would change in each web ACL, with the WCU before and after (reads only); ' +
            'or the same change as Terraform or CloudFormation for teams whose web ACLs live in code',
        )
        .argument('[id...]', 'suggestion ids or unique prefixes (default: every saved suggestion)'),
    ).addOption(
      new Option('--format <format>', 'output: the readable plan, JSON, or the change as infrastructure code')
        .choices(PLAN_FORMATS)
        .default('text'),
    ),
  ).action(async (ids: string[], options: PlanCommandOptions) => {
    const format = planFormat(options);
    const selection = await selectForChange(options, ids);
    const { suggestions } = selection;
    if (format === 'text') process.stdout.write(selectionNote(selection));
    if (!suggestions.length) {
      if (format === 'json')
        printPlanJson({
          ...emptyPlanJson(parseMaxWcu(options.maxWcu) ?? WEB_ACL_MAX_WCU),
          ...selectionJson(selection),
        });
      else
        process.stdout.write(format === 'text' ? 'No suggestions to plan.\n' : '# No suggestions to plan.\n');
      process.exitCode = EXIT.ok;
      return;
    }
    const targets = await openTargets(options);
    const plan = await computePlan(targets, { suggestions, options });
    const common = commonFailure(plan);
    if (format === 'json') printPlanJson({ ...planJson(plan), ...selectionJson(selection) });
    else if (common) process.stderr.write(`waftune plan: every web ACL failed the same way: ${common}\n`);
    else if (format === 'terraform') process.stdout.write(renderTerraform(iacModel(plan), iacHeader(plan)));
    else if (format === 'cloudformation')
      process.stdout.write(renderCloudFormation(iacModel(plan), iacHeader(plan)));
    else process.stdout.write(renderPlan(plan, outputStyle()));
    process.exitCode = fleetFailure(targets) ? EXIT.failed : planExitCode(plan);
  });
  withHelp(
    cmd,
    [
      'waftune plan',
      'waftune plan ovr-5705 ipb-e666 --acl shop-prod',
      'waftune plan --format terraform > waftune-changes.tf',
      'waftune plan --format cloudformation --region eu-west-1',
    ],
    WAF_ENV,
  );
}
