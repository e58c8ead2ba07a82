import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
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
import {
  PROVIDER_URLS,
  PROVIDERS,
  type Provider,
  type ProviderSnapshot,
  providerSnapshotSchema,
  providerSnapshotText,
  refreshProvider,
} from '../../src/cdn/provider-ranges.js';
import { refreshSnapshot } from '../../src/cdn/refresh.js';
import { terminalSafe as safe } from '../../src/text/terminal.js';
import { EXIT, UsageError } from '../exit.js';
import { withHelp } from '../help.js';

/**
 * `waftune cdn-ranges show|update`: the published CDN edge ranges waftune uses to tell a CDN edge
 * from a client (CloudFront's from AWS's ip-ranges.json, vendor/aws-ip-ranges/cloudfront.json;
 * Cloudflare's and Fastly's, vendor/cdn-ranges/), and their refresh from the published lists. The
 * ranges are read when events are normalized, so the Firehose transform takes a refresh with the
 * next deployment and `analyze` with its next run.
 */

const shippedPath = (cdn: Cdn) =>
  cdn === 'cloudfront' ? join('aws-ip-ranges', 'cloudfront.json') : join('cdn-ranges', `${cdn}.json`);
/**
 * Every copy of a shipped snapshot above this module, nearest first: the one the code reads (the
 * compiled package's `dist/vendor/`, or `vendor/` when run from source) and, in a clone, the
 * checked-in `vendor/` that the next build copies again; an update writes them all.
 */
function shippedFiles(cdn: Cdn): string[] {
  const found: string[] = [];
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const candidate = join(dir, 'vendor', shippedPath(cdn));
    if (existsSync(candidate)) found.push(candidate);
    if (dirname(dir) === dir) break;
  }
  if (found.length === 0) throw new Error(`waftune's vendor/${shippedPath(cdn)} is missing`);
  return found;
}
const CDNS = ['cloudfront', ...PROVIDERS] as const;
type Cdn = (typeof CDNS)[number];
const shippedFile = (cdn: Cdn) => shippedFiles(cdn)[0] as string;
const FETCH_TIMEOUT_MS = 30_000;
/** The published file is about 2 MB; a much larger answer is not it. */
const MAX_BYTES = 32 * 1024 * 1024;

interface Options {
  json?: boolean;
  cdn: string;
  url?: string;
  file?: string;
  force?: boolean;
}

/** The CDNs an invocation is about; --url and --file name one list, so they need one CDN. */
function selected(options: Options): Cdn[] {
  const chosen = options.cdn === 'all' ? [...CDNS] : [options.cdn];
  const bad = chosen.find((c) => !(CDNS as readonly string[]).includes(c));
  if (bad) throw new UsageError(`--cdn ${bad}: one of ${CDNS.join(', ')} or all`);
  if ((options.url || options.file) && chosen.length !== 1)
    throw new UsageError(
      '--url and --file name one list: give --cdn cloudfront, cloudflare or fastly with them',
    );
  return chosen as Cdn[];
}

/** A snapshot file, checked against its schema; null when there is no such file. */
function readSnapshotFile<T>(file: string, schema: { parse(value: unknown): T }): T | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  return schema.parse(JSON.parse(text));
}

const readProvider = (file: string) => readSnapshotFile(file, providerSnapshotSchema);

const providerSummary = (s: ProviderSnapshot) => ({
  retrieved: s.retrieved,
  version: s.version,
  ipv4Prefixes: s.ipv4.length,
  ipv6Prefixes: s.ipv6.length,
  source: s.source,
});

/** Writes beside and renames over: a reader never sees half a file. */
function replaceFile(file: string, text: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, file);
}

const readSnapshot = (file: string) => readSnapshotFile(file, snapshotSchema);

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
  if (length > MAX_BYTES) throw new Error(`${url} sent ${length} bytes: too large for a list of ranges`);
  const text = await response.text();
  if (text.length > MAX_BYTES) throw new Error(`${url} sent more than ${MAX_BYTES} bytes`);
  return text;
}

export function register(program: Command): void {
  const cmd = program
    .command('cdn-ranges')
    .description(
      'the published CDN edge ranges (CloudFront, Cloudflare, Fastly) that tell a CDN edge from a client',
    );
  withHelp(cmd, ['waftune cdn-ranges show', 'waftune cdn-ranges update --cdn cloudfront'], []);
  const show = cmd
    .command('show')
    .description('which published lists the ranges in use come from')
    .option('--json', 'machine-readable JSON on stdout')
    .option('--cdn <cdn>', `${CDNS.join(', ')} or all`, 'all')
    .option('--file <file>', 'the snapshot file (with one --cdn)')
    .action((options: Options) => {
      const out: Record<string, unknown> = {};
      const lines: string[] = [];
      for (const cdn of selected(options)) {
        const file = options.file ?? shippedFile(cdn);
        if (cdn === 'cloudfront') {
          const snapshot = readSnapshot(file);
          if (!snapshot) throw new Error(`no snapshot at ${file}`);
          const s = summary(snapshot);
          out[cdn] = s;
          lines.push(
            `CloudFront ranges from ip-ranges.json of ${s.created} (syncToken ${s.syncToken}): ${s.ipv4Prefixes} IPv4 and ${s.ipv6Prefixes} IPv6 prefixes (${s.services.join(', ')})`,
          );
        } else {
          const snapshot = readProvider(file);
          if (!snapshot) throw new Error(`no snapshot at ${file}`);
          const s = providerSummary(snapshot);
          out[cdn] = s;
          lines.push(
            `${cdn === 'cloudflare' ? 'Cloudflare' : 'Fastly'} ranges retrieved ${s.retrieved} from ${s.source}: ${s.ipv4Prefixes} IPv4 and ${s.ipv6Prefixes} IPv6 prefixes`,
          );
        }
      }
      // One CDN asked for: its summary alone, as before there were several.
      const only = Object.keys(out).length === 1 ? Object.values(out)[0] : out;
      if (options.json) process.stdout.write(`${JSON.stringify(only, null, 2)}\n`);
      else process.stdout.write(`${lines.join('\n')}\n`);
      process.exitCode = EXIT.ok;
    });
  withHelp(show, ['waftune cdn-ranges show --json'], []);
  const update = cmd
    .command('update')
    .description('download the published lists and refresh the snapshots')
    .option('--json', 'machine-readable JSON on stdout')
    .option('--cdn <cdn>', `${CDNS.join(', ')} or all`, 'all')
    .option(
      '--url <url>',
      `where to download the list from (with one --cdn; default ${PUBLISHED_URL} and the providers' own)`,
    )
    .option('--file <file>', 'the snapshot file to refresh (with one --cdn)')
    .option('--force', 'take a downloaded ip-ranges.json even when it is older than the snapshot')
    .action(async (options: Options) => {
      const results: Record<string, unknown> = {};
      const lines: string[] = [];
      let code: number = EXIT.ok;
      for (const cdn of selected(options)) {
        const file = options.file ?? shippedFile(cdn);
        if (cdn === 'cloudfront') {
          const copies = options.file ? [file] : shippedFiles(cdn);
          const r = await updateCloudFront(copies, options.url ?? PUBLISHED_URL, options.force === true);
          results[cdn] = r.result;
          lines.push(...r.lines);
          if (r.older) code = EXIT.partial;
        } else {
          const copies = options.file ? [file] : shippedFiles(cdn);
          const r = await updateProvider(cdn, copies, options.url ?? PROVIDER_URLS[cdn]);
          results[cdn] = r.result;
          lines.push(...r.lines);
        }
      }
      const only = Object.keys(results).length === 1 ? Object.values(results)[0] : results;
      if (options.json) process.stdout.write(`${JSON.stringify(only, null, 2)}\n`);
      else process.stdout.write(`${lines.join('\n')}\n`);
      process.exitCode = code;
    });
  withHelp(
    update,
    [
      'waftune cdn-ranges update',
      'waftune cdn-ranges update --cdn cloudfront --url https://mirror.example/ip-ranges.json',
    ],
    [],
  );
}

async function updateCloudFront(
  copies: readonly string[],
  url: string,
  force: boolean,
): Promise<{ result: unknown; lines: string[]; older: boolean }> {
  const file = copies[0] as string;
  const current = readSnapshot(file);
  const refresh = refreshSnapshot(await download(url), current);
  const write = refresh.status === 'updated' || (refresh.status === 'older' && force);
  if (write) for (const copy of copies) replaceFile(copy, snapshotText(refresh.snapshot));
  const result = {
    status: refresh.status === 'older' && write ? 'updated' : refresh.status,
    written: write,
    file,
    previous: current ? summary(current) : null,
    now: summary(write || !current ? refresh.snapshot : current),
    added: refresh.added,
    removed: refresh.removed,
  };
  const n = result.now;
  const lines = [
    refresh.status === 'older' && !write
      ? `not updated: the downloaded file (syncToken ${safe(refresh.snapshot.syncToken)}) is older than the snapshot (syncToken ${safe(current?.syncToken ?? '')}); --force takes it anyway`
      : refresh.status === 'unchanged'
        ? `already current: ip-ranges.json of ${n.created} (syncToken ${n.syncToken})`
        : `updated ${safe(file, 300)}: ip-ranges.json of ${n.created} (syncToken ${n.syncToken}), ${n.ipv4Prefixes} IPv4 and ${n.ipv6Prefixes} IPv6 prefixes; ${refresh.added.length} added, ${refresh.removed.length} removed`,
    ...refresh.added.slice(0, 20).map((c) => `  + ${safe(c, 80)}`),
    ...refresh.removed.slice(0, 20).map((c) => `  - ${safe(c, 80)}`),
  ];
  if (write)
    lines.push('the next analyze uses them; redeploy the stack for the Firehose transform to use them');
  return { result, lines, older: refresh.status === 'older' && !write };
}

async function updateProvider(
  cdn: Provider,
  copies: readonly string[],
  url: string,
): Promise<{ result: unknown; lines: string[] }> {
  const file = copies[0] as string;
  const current = readProvider(file);
  const day = new Date().toISOString().slice(0, 10);
  const refresh = refreshProvider(cdn, await download(url), current, day);
  const write = refresh.status === 'updated';
  // Unchanged ranges keep the snapshot as it is (a new retrieval date alone is no change).
  if (write) for (const copy of copies) replaceFile(copy, providerSnapshotText(refresh.snapshot));
  const now = write || !current ? refresh.snapshot : current;
  const result = {
    status: refresh.status,
    written: write,
    file,
    previous: current ? providerSummary(current) : null,
    now: providerSummary(now),
    added: refresh.added,
    removed: refresh.removed,
  };
  const name = cdn === 'cloudflare' ? 'Cloudflare' : 'Fastly';
  const lines = [
    write
      ? `updated ${safe(file, 300)}: ${name} ranges retrieved ${now.retrieved}, ${now.ipv4.length} IPv4 and ${now.ipv6.length} IPv6 prefixes; ${refresh.added.length} added, ${refresh.removed.length} removed`
      : `already current: ${name} ranges (${now.ipv4.length} IPv4 and ${now.ipv6.length} IPv6 prefixes, retrieved ${now.retrieved})`,
    ...refresh.added.slice(0, 20).map((c) => `  + ${safe(c, 80)}`),
    ...refresh.removed.slice(0, 20).map((c) => `  - ${safe(c, 80)}`),
  ];
  if (write)
    lines.push('the next analyze uses them; redeploy the stack for the Firehose transform to use them');
  return { result, lines };
}
