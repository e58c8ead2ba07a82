import type { Command } from 'commander';
import { wafLoggingClient, wafLoggingPort } from '../../adapters/waf-logging.js';
import { terminalSafe } from '../../src/text/terminal.js';
import {
  type ConnectRun,
  checkStream,
  connectLogging,
  KEPT_ACTIONS,
  REDACTED_HEADERS,
  type WafLoggingPort,
} from '../../src/waf/logging-config.js';
import type { WafScope } from '../../src/waf/types.js';
import { EXIT, type ExitCode } from '../exit.js';
import { addCommonOptions, applyAwsOptions, type CommonOptions } from '../options.js';

export interface ConnectOptions extends CommonOptions {
  stream: string;
  acl?: string[];
  scope: string;
  keepAllow?: boolean;
  replace?: boolean;
  dryRun?: boolean;
}

export interface ConnectDeps {
  port?: WafLoggingPort;
  write?: (text: string) => void;
  sleep?: (ms: number) => Promise<void>;
}

export async function runConnect(options: ConnectOptions, deps: ConnectDeps = {}): Promise<ExitCode> {
  const write = deps.write ?? ((text: string) => process.stdout.write(text));
  const scope = options.scope.toUpperCase();
  if (scope !== 'REGIONAL' && scope !== 'CLOUDFRONT')
    throw new Error(`--scope must be REGIONAL or CLOUDFRONT`);
  const stream = checkStream(options.stream);
  applyAwsOptions(options);
  // Regional web ACLs can only log to a stream in their own region: look for them there.
  const port =
    deps.port ??
    wafLoggingPort(
      wafLoggingClient(scope, options.region ? {} : { region: stream.region }),
      scope as WafScope,
    );
  const run = await connectLogging(port, {
    scope: scope as WafScope,
    streamArn: options.stream,
    options: { keepAllow: Boolean(options.keepAllow) },
    replace: Boolean(options.replace),
    dryRun: Boolean(options.dryRun),
    names: options.acl ?? [],
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
  });

  if (options.json) {
    write(
      `${JSON.stringify({ dryRun: Boolean(options.dryRun), stream: options.stream, scope, ...run }, null, 2)}\n`,
    );
  } else {
    write(renderConnect(run, { stream: stream.name, region: stream.region, scope, options }));
  }
  if (options.acl && options.acl.length > 0 && run.steps.length === 0) return EXIT.failed;
  const incomplete =
    run.failed.length > 0 || run.missing.length > 0 || run.steps.some((s) => s.action === 'skip');
  return incomplete ? EXIT.partial : EXIT.ok;
}

function renderConnect(
  run: ConnectRun,
  ctx: { stream: string; region: string; scope: string; options: ConnectOptions },
): string {
  const dry = Boolean(ctx.options.dryRun);
  const lines = [
    `${dry ? 'Dry run: ' : ''}logging of ${ctx.scope} web ACLs to ${terminalSafe(ctx.stream)} (${ctx.region})`,
  ];
  const failed = new Map(run.failed.map((f) => [f.acl, f.error]));
  const width = Math.max(4, ...run.steps.map((s) => terminalSafe(s.acl.name).length));
  for (const step of run.steps) {
    const error = failed.get(step.acl.name);
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
  }
  for (const name of run.missing) lines.push(`  ${'not found'.padEnd(12)}  ${terminalSafe(name)}`);
  if (run.steps.length === 0 && run.missing.length === 0)
    lines.push('  no web ACLs in this scope and region');
  const kept = KEPT_ACTIONS.join(', ');
  lines.push(
    `Filter: keep ${kept}; ${ctx.options.keepAllow ? 'keep' : 'drop'} the rest (ALLOW)${ctx.options.keepAllow ? '' : ' (--keep-allow keeps it)'}.`,
    `Redacted: the ${REDACTED_HEADERS.join(' and ')} headers.`,
  );
  const changing = run.steps.filter((s) => s.request).length;
  lines.push(
    dry
      ? `Nothing changed; ${changing} web ACL${changing === 1 ? '' : 's'} would change.`
      : `${changing - run.failed.length} web ACL${changing - run.failed.length === 1 ? '' : 's'} changed${run.failed.length > 0 ? `, ${run.failed.length} failed` : ''}.`,
  );
  return `${lines.join('\n')}\n`;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function register(program: Command): void {
  addCommonOptions(
    program
      .command('connect')
      .description("turn WAF logging on for the fleet's web ACLs, to the waftune Firehose stream")
      .requiredOption('--stream <arn>', 'the delivery stream ARN (stack output DeliveryStreamArn)')
      .option('--acl <name>', 'only this web ACL (repeatable); all of them when absent', collect)
      .option(
        '--scope <scope>',
        'REGIONAL or CLOUDFRONT (CloudFront ACLs need a stream in us-east-1)',
        'REGIONAL',
      )
      .option('--keep-allow', 'also log requests no rule acted on (ALLOW)')
      .option('--replace', 'take over web ACLs that already log somewhere else')
      .option('--dry-run', 'show what would change, change nothing'),
  ).action(async (options: ConnectOptions) => {
    process.exitCode = await runConnect(options);
  });
}
