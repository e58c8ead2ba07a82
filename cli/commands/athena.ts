import type { Command } from 'commander';
import { terminalSafe } from '../../src/text/terminal.js';
import { type SetupOptions, setupRawLogs } from '../athena.js';
import { AWS_ENV, withHelp } from '../help.js';
import { addCommonOptions } from '../options.js';

const EXAMPLES = [
  'waftune athena setup --logs s3://my-waf-logs/AWSLogs/111122223333/WAFLogs/eu-west-1/wp-fleet/',
  'waftune athena setup --logs s3://my-waf-logs/AWSLogs/ --accounts 111122223333 --regions us-east-1 --web-acls cf-fleet --print',
  'waftune analyze --engine athena --athena-database waftune_raw',
];
const ENV = [
  ...AWS_ENV,
  { name: 'AWS_ENDPOINT_URL_ATHENA', what: 'another Athena endpoint (tests, a proxy)' },
];

/**
 * `waftune athena setup --logs s3://bucket/AWSLogs/...`: Athena over logs WAF already delivers to
 * S3 (no Firehose stream or transform needed): a database, the raw-log table with partition
 * projection and the `events` view; then `waftune analyze --engine athena --athena-database <db>`
 * runs the same queries on it.
 */
export function register(program: Command): void {
  const athena = withHelp(
    program.command('athena').description('Athena over WAF logs where they are (direct S3 delivery)'),
    EXAMPLES,
    ENV,
  );
  withHelp(addCommonOptions(athena.command('setup')), EXAMPLES, ENV)
    .description(
      'create the raw-log table (partition projection) and the events view over a direct-delivery bucket',
    )
    .requiredOption('--logs <url>', 's3://bucket/[prefix/]AWSLogs/[<account>/WAFLogs/<region>/<web-acl>]')
    .option('--accounts <ids>', 'accounts logging there, comma-separated (when the URL does not name one)')
    .option('--regions <names>', 'regions, comma-separated (CloudFront web ACLs log to us-east-1)')
    .option('--web-acls <names>', 'web ACL names, comma-separated')
    .option('--from <YYYY/MM/DD>', 'first day of logs', '2024/01/01')
    .option('--athena-database <name>', 'database to create them in', 'waftune_raw')
    .option('--athena-workgroup <name>', 'Athena workgroup (default: the stack’s)')
    .option('--print', 'print the statements instead of running them')
    .action(async (options: SetupOptions) => {
      const done = await setupRawLogs(options);
      if (done) process.stdout.write(`${terminalSafe(done, 1000)}\n`);
    });
}
