import { type Command, InvalidArgumentError, Option } from 'commander';
import { Wafv2Port } from '../../adapters/wafv2.js';
import { type ConnectOutput, type ConnectStepJson, connectOutputSchema } from '../../schemas/connect.js';
import { KEPT_ALLOW_LABELS } from '../../schemas/waftune-labels.js';
import { terminalSafe } from '../../src/text/terminal.js';
import { accountLabel, inAccount } from '../../src/waf/accounts.js';
import type { AuditStore } from '../../src/waf/audit.js';
import {
  type ConnectPlan,
  type EvidencePlan,
  executeConnect,
  planConnectRun,
} from '../../src/waf/connect.js';
import { EVIDENCE_RULES } from '../../src/waf/evidence-labels.js';
import { checkStream, KEPT_ACTIONS, REDACTED_HEADERS, STREAM_PREFIX } from '../../src/waf/logging-config.js';
import { errorMessage, locationFor, type WafPort } from '../../src/waf/port.js';
import { PLAIN, renderEntry, renderRuleDiff, runJson } from '../../src/waf/render.js';
import type { RetryPolicy } from '../../src/waf/retry.js';
import type { WafLocation, WafScope } from '../../src/waf/types.js';
import { loadConfig } from '../config.js';
import { EXIT, type ExitCode, UsageError } from '../exit.js';
import { WAF_ENV, WRITER_ENV, withHelp } from '../help.js';
import type { CommonOptions } from '../options.js';
import { addAccountOption, allUnavailable, type FleetOptions, openFleet, unavailableLines } from './fleet.js';
import { actor, addWafOptions, auditStore, commandLine, parseMaxWcu } from './waf-shared.js';

export interface ConnectOptions extends CommonOptions, FleetOptions {
  stream: string;
  acl?: string[];
  scope: string;
  keepAllow?: boolean;
  replace?: boolean;
  dryRun?: boolean;
  /** `--no-evidence` sets it false. */
  evidence?: boolean;
  maxWcu?: string;
  audit?: string;
}

export interface ConnectDeps {
  port?: WafPort;
  store?: AuditStore;
  write?: (text: string) => void;
  sleep?: (ms: number) => Promise<void>;
  retry?: RetryPolicy;
}

/** One account and region of a connect run (the whole run when there is no fleet file). */
interface Section {
  account?: { id: string; name: string };
  region: string;
  stream: string;
  plan: ConnectPlan;
  /** Listing the web ACLs failed. */
  error?: string;
}

export async function runConnect(options: ConnectOptions, deps: ConnectDeps = {}): Promise<ExitCode> {
  const write = deps.write ?? ((text: string) => process.stdout.write(text));
  loadConfig(options.config);
  const scope = options.scope.toUpperCase();
  if (scope !== 'REGIONAL' && scope !== 'CLOUDFRONT')
    throw new UsageError(`--scope must be REGIONAL or CLOUDFRONT`);
  const maxWcu = parseMaxWcu(options.maxWcu);
  const fleet = deps.port ? undefined : await openFleet(loadConfig(options.config), options);
  const evidence = options.evidence !== false;
  const input = (location: WafLocation, streamArn: string) => ({
    location,
    streamArn,
    options: { keepAllow: Boolean(options.keepAllow) },
    replace: Boolean(options.replace),
    evidence,
    names: options.acl ?? [],
    ...(maxWcu ? { maxWcu } : {}),
  });

  let port: WafPort;
  const sections: Section[] = [];
  let streamName: string;
  if (fleet) {
    // Each account's web ACLs log to the stream of that name in their own account and region.
    const { name, partition } = streamOf(options.stream);
    streamName = name;
    port = fleet.port;
    for (const account of fleet.accounts) {
      if (fleet.unavailable.some((u) => u.account.id === account.id)) continue;
      const regions = scope === 'CLOUDFRONT' ? (account.cloudfront ? ['us-east-1'] : []) : account.regions;
      for (const region of regions) {
        const location = inAccount(locationFor(scope as WafScope, region), account);
        const stream = `arn:${partition}:firehose:${region}:${account.id}:deliverystream/${name}`;
        const who = { id: account.id, name: account.name };
        try {
          sections.push({
            account: who,
            region,
            stream,
            plan: await planConnectRun(port, input(location, stream)),
          });
        } catch (error) {
          sections.push({
            account: who,
            region,
            stream,
            plan: { location, steps: [], missing: [] },
            error: errorMessage(error),
          });
        }
      }
    }
  } else {
    const stream = checkStream(options.stream);
    streamName = stream.name;
    // Regional web ACLs can only log to a stream in their own region: look for them there.
    const region = options.region ?? stream.region;
    port = deps.port ?? new Wafv2Port({ region, ...(options.profile ? { profile: options.profile } : {}) });
    const plan = await planConnectRun(port, input(locationFor(scope as WafScope, region), options.stream));
    sections.push({ region: stream.region, stream: options.stream, plan });
  }
  // A name found in any account and region is not missing.
  const missing = (options.acl ?? []).filter(
    (n) => !sections.some((x) => x.plan.steps.some((st) => st.acl.name === n || st.ref.arn === n)),
  );
  const steps = sections.flatMap((x) => x.plan.steps);
  const plan: ConnectPlan = {
    location: sections[0]?.plan.location ?? locationFor(scope as WafScope, options.region ?? 'us-east-1'),
    steps,
    missing,
  };
  const store = deps.store ?? auditStore(options);

  const dryRun = Boolean(options.dryRun);
  const todo = plan.steps.some((s) => s.request || s.evidence.action === 'add');
  const result =
    dryRun || !todo
      ? undefined
      : await executeConnect(port, store, plan, {
          actor: actor(options),
          now: () => new Date(),
          command: commandLine(),
          ...(maxWcu ? { maxWcu } : {}),
          ...(deps.sleep ? { sleep: deps.sleep } : {}),
          ...(deps.retry ? { retry: deps.retry } : {}),
        });
  const failed = new Map<string, string>();
  for (const e of result?.record.entries ?? []) {
    if (e.status === 'failed' || e.status === 'refused')
      failed.set(
        e.target.arn,
        `${failed.has(e.target.arn) ? `${failed.get(e.target.arn)}; ` : ''}${e.reason ?? e.status}`,
      );
  }

  const stepJson = (p: ConnectPlan): ConnectStepJson[] =>
    p.steps.map((s) => ({
      acl: s.acl,
      action: s.action,
      reason: s.reason,
      request: s.request ?? null,
      evidence: s.evidence,
    }));
  if (options.json) {
    const json: ConnectOutput = {
      dryRun,
      stream: options.stream,
      scope,
      steps: stepJson(plan),
      missing: plan.missing,
      failed: [...failed].map(([arn, error]) => ({
        acl: plan.steps.find((s) => s.ref.arn === arn)?.acl.name ?? arn,
        error,
      })),
      ...(fleet
        ? {
            // Every section of a fleet run has its account.
            accounts: sections.flatMap((x) =>
              x.account
                ? [
                    {
                      account: x.account.id,
                      accountName: x.account.name,
                      region: x.region,
                      stream: x.stream,
                      steps: stepJson(x.plan),
                      error: x.error ?? null,
                    },
                  ]
                : [],
            ),
            unavailable: fleet.unavailable.map((u) => ({
              account: u.account.id,
              accountName: u.account.name,
              reason: u.reason,
            })),
          }
        : {}),
      change: result
        ? runJson(result.record, { storeProblems: result.storeProblems, location: store.location })
        : null,
    };
    // Through the published contract (schemas/json/connect.schema.json): what is printed is what it says.
    write(`${JSON.stringify(connectOutputSchema.parse(json), null, 2)}\n`);
  } else {
    const out: string[] = unavailableLines(fleet).map((l) => `warning: ${l}`);
    for (const x of sections) {
      if (x.account)
        out.push(
          `account ${terminalSafe(accountLabel({ account: x.account.id, accountName: x.account.name }))}:`,
        );
      if (x.error) out.push(`  could not list the web ACLs in ${x.region}: ${terminalSafe(x.error, 300)}`);
      out.push(
        renderConnect(
          { ...x.plan, missing: fleet ? [] : x.plan.missing },
          { stream: streamName, region: x.region, scope, options, failed },
        ).trimEnd(),
      );
    }
    if (fleet)
      for (const m of missing)
        out.push(`  ${'not found'.padEnd(12)}  ${terminalSafe(m)} (in no account and region)`);
    write(`${out.join('\n')}\n`);
    if (result) {
      const lines = ['', ...result.record.entries.map((e) => renderEntry(e, PLAIN))];
      const c = result.record.summary?.counts;
      lines.push(
        `Change ${result.record.header.id}: ${c?.applied ?? 0} applied, ${c?.unchanged ?? 0} unchanged, ${c?.refused ?? 0} refused, ${c?.failed ?? 0} failed. Recorded in ${terminalSafe(store.location)}.`,
      );
      if (c?.applied) lines.push(`To undo: waftune rollback ${result.record.header.id}`);
      for (const p of result.storeProblems) lines.push(`warning: ${terminalSafe(p)}`);
      write(`${lines.join('\n')}\n`);
    }
  }
  if (allUnavailable(fleet)) return EXIT.failed;
  if (options.acl && options.acl.length > 0 && plan.steps.length === 0) return EXIT.failed;
  if (result?.storeProblems.length) return EXIT.failed;
  // Every web ACL that was to change failed: nothing was done.
  const counts = result?.record.summary?.counts;
  if (counts && counts.applied + counts.unchanged === 0 && counts.failed + counts.refused > 0)
    return EXIT.failed;
  const incomplete =
    failed.size > 0 ||
    plan.missing.length > 0 ||
    (fleet?.unavailable.length ?? 0) > 0 ||
    sections.some((x) => x.error) ||
    plan.steps.some(
      (s) => s.action === 'skip' || s.evidence.action === 'refused' || s.evidence.action === 'failed',
    );
  return incomplete ? EXIT.partial : EXIT.ok;
}

/** The stream's name (and partition) from `--stream`: an ARN, or in a fleet just the name. */
function streamOf(value: string): { name: string; partition: string } {
  if (value.startsWith('arn:')) {
    const { name } = checkStream(value);
    return { name, partition: value.split(':')[1] ?? 'aws' };
  }
  if (!/^[\w.-]{1,64}$/.test(value) || !value.startsWith(STREAM_PREFIX))
    throw new Error(`--stream: a delivery stream ARN or name starting with ${STREAM_PREFIX}, got ${value}`);
  return { name: value, partition: 'aws' };
}

function evidenceLine(e: EvidencePlan, dry: boolean): string | undefined {
  const wcu = e.wcuBefore !== undefined ? ` (WCU ${e.wcuBefore} -> ${e.wcuAfter})` : '';
  switch (e.action) {
    case 'add':
      return `${dry ? 'would add' : 'adds'} the evidence rules at the top${wcu}`;
    case 'in-place':
      return 'evidence rules in place';
    case 'refused':
      return `evidence rules refused: ${e.reason ?? ''}${wcu}; logged-in work on this web ACL stays invisible on Athena (--keep-allow keeps it)`;
    case 'failed':
      return `evidence rules: could not read the web ACL: ${e.reason ?? ''}`;
    default:
      return undefined;
  }
}

function renderConnect(
  plan: ConnectPlan,
  ctx: {
    stream: string;
    region: string;
    scope: string;
    options: ConnectOptions;
    failed: ReadonlyMap<string, string>;
  },
): string {
  const dry = Boolean(ctx.options.dryRun);
  const lines = [
    `${dry ? 'Dry run: ' : ''}logging of ${ctx.scope} web ACLs to ${terminalSafe(ctx.stream)} (${ctx.region})`,
  ];
  const width = Math.max(4, ...plan.steps.map((s) => terminalSafe(s.acl.name).length));
  for (const step of plan.steps) {
    const error = ctx.failed.get(step.ref.arn);
    const verb = error
      ? 'failed'
      : step.action === 'enable'
        ? dry
          ? 'would enable'
          : 'enabled'
        : step.action === 'update'
          ? dry
            ? 'would update'
            : 'updated'
          : step.action === 'skip'
            ? 'skipped'
            : 'unchanged';
    lines.push(
      `  ${verb.padEnd(12)}  ${terminalSafe(step.acl.name).padEnd(width)}  ${terminalSafe(error ?? step.reason, 300)}`,
    );
    const evidence = evidenceLine(step.evidence, dry);
    if (evidence) lines.push(`  ${''.padEnd(12)}  ${''.padEnd(width)}  ${terminalSafe(evidence, 300)}`);
    if (dry && step.evidence.action === 'add')
      lines.push(...renderRuleDiff(step.evidence.diff, PLAIN, '      '));
  }
  for (const name of plan.missing) lines.push(`  ${'not found'.padEnd(12)}  ${terminalSafe(name)}`);
  if (plan.steps.length === 0 && plan.missing.length === 0)
    lines.push('  no web ACLs in this scope and region');
  const kept = KEPT_ACTIONS.join(', ');
  const rule = EVIDENCE_RULES.map((r) => r.name).join(', ');
  lines.push(
    ctx.options.keepAllow
      ? `Filter: keep everything (--keep-allow).`
      : `Filter: keep ${kept}, and ALLOW records labelled ${KEPT_ALLOW_LABELS.join(', ')}; drop the rest (--keep-allow keeps it).`,
    `Redacted: the ${REDACTED_HEADERS.join(' and ')} headers (WAF still inspects them; ${rule} label a WordPress login, a WooCommerce session, a returning commenter and the Authorization scheme).`,
  );
  const changing = plan.steps.filter((s) => s.request || s.evidence.action === 'add').length;
  if (dry) lines.push(`Nothing changed; ${changing} web ACL${changing === 1 ? '' : 's'} would change.`);
  else if (!changing) lines.push('Nothing to change.');
  return `${lines.join('\n')}\n`;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

const SCOPES = ['REGIONAL', 'CLOUDFRONT'];

function scopeOption(): Option {
  const option = new Option('--scope <scope>', 'which web ACLs (CloudFront ACLs need a stream in us-east-1)')
    .choices(SCOPES)
    .default('REGIONAL');
  return option.argParser((value: string) => {
    const upper = value.toUpperCase();
    if (!SCOPES.includes(upper)) throw new InvalidArgumentError(`Allowed choices are ${SCOPES.join(', ')}.`);
    return upper;
  });
}

export function register(program: Command): void {
  const cmd = addWafOptions(
    addAccountOption(program.command('connect'))
      .description(
        "turn WAF logging on for the fleet's web ACLs, to the waftune Firehose stream, with waftune's evidence rules at the top of each",
      )
      .requiredOption(
        '--stream <arn>',
        'the delivery stream ARN (stack output DeliveryStreamArn); with a fleet file, its name: the stream of that name in each account and region',
      )
      .option('--acl <name>', 'only this web ACL (repeatable); all of them when absent', collect)
      .addOption(scopeOption())
      .option('--keep-allow', 'also log requests no rule acted on (ALLOW)')
      .option('--replace', 'take over web ACLs that already log somewhere else')
      .option(
        '--no-evidence',
        "do not add the evidence rules (Count rules labelling WordPress logins, WooCommerce sessions, commenters and Authorization schemes, 34 WCU): logged-in work, shoppers' and integrations' history are then invisible on Athena",
      )
      .option('--max-wcu <n>', 'refuse the evidence rules on a web ACL that would need more WCU than this')
      .option('--dry-run', 'show what would change, change nothing'),
  ).action(async (options: ConnectOptions) => {
    process.exitCode = await runConnect(options);
  });
  withHelp(
    cmd,
    [
      'waftune connect --stream arn:aws:firehose:eu-west-1:123456789012:deliverystream/aws-waf-logs-waftune-prod --dry-run',
      'waftune connect --stream arn:aws:firehose:us-east-1:123456789012:deliverystream/aws-waf-logs-waftune-prod --scope CLOUDFRONT --acl shop-cdn',
    ],
    [...WAF_ENV, ...WRITER_ENV],
  );
}
