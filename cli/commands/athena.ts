import type { Command } from 'commander';
import { terminalSafe } from '../../src/text/terminal.js';
import { type SetupOptions, setupRawLogs } from '../athena.js';
import { addCommonOptions } from '../options.js';

/**
 * `waftune athena setup --logs s3://bucket/AWSLogs/...`: Athena over logs WAF already delivers to
 * S3 (no Firehose stream or transform needed): a database, the raw-log table with partition
 * projection and the `events` view; then `waftune analyze --engine athena --athena-database <db>`
 * runs the same queries on it.
 */
export function register(program: Command): void {
  const athena = program.command('athena').description('Athena over WAF logs where they are');
  addCommonOptions(athena.command('setup'))
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
