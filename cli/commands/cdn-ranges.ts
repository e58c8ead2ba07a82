import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import {
  createDateIso,
  PUBLISHED_URL,
  type RangesSnapshot,
  snapshotSchema,
  snapshotText,
} from '../../src/cdn/ip-ranges.js';
import { refreshSnapshot } from '../../src/cdn/refresh.js';
import { terminalSafe as safe } from '../../src/text/terminal.js';
import { EXIT } from '../exit.js';

/**
 * `waftune cdn-ranges show|update`: the CloudFront edge ranges waftune uses to tell a CDN edge from a
 * client (vendor/aws-ip-ranges/cloudfront.json), and their refresh from AWS's published file. The
 * ranges are read when events are normalized, so the Firehose transform takes a refresh with the
 * next deployment and `analyze` with its next run.
 */

const SHIPPED = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'vendor',
  'aws-ip-ranges',
  'cloudfront.json',
);
const FETCH_TIMEOUT_MS = 30_000;
/** The published file is about 2 MB; a much larger answer is not it. */
const MAX_BYTES = 32 * 1024 * 1024;

interface Options {
  json?: boolean;
  url: string;
  file: string;
  force?: boolean;
}

function readSnapshot(file: string): RangesSnapshot | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  return snapshotSchema.parse(JSON.parse(text));
}

const summary = (s: RangesSnapshot) => ({
  createDate: s.createDate,
  created: createDateIso(s.createDate),
  syncToken: s.syncToken,
  ipv4Prefixes: s.prefixes.length,
  ipv6Prefixes: s.ipv6_prefixes.length,
  services: s.services,
});

async function download(url: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: 'follow' });
  if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
  const length = Number(response.headers.get('content-length') ?? 0);
  if (length > MAX_BYTES) throw new Error(`${url} sent ${length} bytes: too large for ip-ranges.json`);
  const text = await response.text();
  if (text.length > MAX_BYTES) throw new Error(`${url} sent more than ${MAX_BYTES} bytes`);
  return text;
}

export function register(program: Command): void {
  const cmd = program
    .command('cdn-ranges')
    .description("the CloudFront edge ranges that tell a CDN edge from a client (AWS's ip-ranges.json)");
  cmd
    .command('show')
    .description('which published file the ranges in use come from')
    .option('--json', 'machine-readable JSON on stdout')
    .option('--file <file>', 'the snapshot file', SHIPPED)
    .action((options: Options) => {
      const snapshot = readSnapshot(options.file);
      if (!snapshot) throw new Error(`no snapshot at ${options.file}`);
      const s = summary(snapshot);
      if (options.json) process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
      else
        process.stdout.write(
          `CloudFront ranges from ip-ranges.json of ${s.created} (syncToken ${s.syncToken}): ${s.ipv4Prefixes} IPv4 and ${s.ipv6Prefixes} IPv6 prefixes (${s.services.join(', ')})\n`,
        );
      process.exitCode = EXIT.ok;
    });
  cmd
    .command('update')
    .description(`download ${PUBLISHED_URL} and refresh the snapshot`)
    .option('--json', 'machine-readable JSON on stdout')
    .option('--url <url>', 'where to download ip-ranges.json from', PUBLISHED_URL)
    .option('--file <file>', 'the snapshot file to refresh', SHIPPED)
    .option('--force', 'take the downloaded file even when it is older than the snapshot')
    .action(async (options: Options) => {
      const current = readSnapshot(options.file);
      const refresh = refreshSnapshot(await download(options.url), current);
      const write = refresh.status === 'updated' || (refresh.status === 'older' && options.force === true);
      if (write) {
        // Written beside and renamed over: a reader never sees half a file.
        const temp = `${options.file}.${process.pid}.tmp`;
        writeFileSync(temp, snapshotText(refresh.snapshot));
        renameSync(temp, options.file);
      }
      const result = {
        status: refresh.status === 'older' && write ? 'updated' : refresh.status,
        written: write,
        file: options.file,
        previous: current ? summary(current) : null,
        now: summary(write || !current ? refresh.snapshot : current),
        added: refresh.added,
        removed: refresh.removed,
      };
      if (options.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else {
        const n = result.now;
        const lines = [
          refresh.status === 'older' && !write
            ? `not updated: the downloaded file (syncToken ${safe(refresh.snapshot.syncToken)}) is older than the snapshot (syncToken ${safe(current?.syncToken ?? '')}); --force takes it anyway`
            : refresh.status === 'unchanged'
              ? `already current: ip-ranges.json of ${n.created} (syncToken ${n.syncToken})`
              : `updated ${safe(options.file, 300)}: ip-ranges.json of ${n.created} (syncToken ${n.syncToken}), ${n.ipv4Prefixes} IPv4 and ${n.ipv6Prefixes} IPv6 prefixes; ${refresh.added.length} added, ${refresh.removed.length} removed`,
          ...refresh.added.slice(0, 20).map((c) => `  + ${safe(c, 80)}`),
          ...refresh.removed.slice(0, 20).map((c) => `  - ${safe(c, 80)}`),
        ];
        if (write)
          lines.push('the next analyze uses them; redeploy the stack for the Firehose transform to use them');
        process.stdout.write(`${lines.join('\n')}\n`);
      }
      process.exitCode = refresh.status === 'older' && !write ? EXIT.partial : EXIT.ok;
    });
}
