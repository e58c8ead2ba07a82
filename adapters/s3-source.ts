import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, paginateListObjectsV2, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { s3ClientConfig } from './aws-client-config.js';

/**
 * `waftune analyze s3://bucket/prefix`: the delivered log objects are downloaded through the S3
 * API into a local folder with the same key layout, and the local chain reads that folder, so a
 * user without Athena gets the same report as from the files on disk.
 */

export interface DownloadOptions {
  /** Skip objects that cannot hold a record this recent (by LastModified and by the date in the key). */
  since?: Date;
  /**
   * Skip objects that cannot hold a record of the data's last `sinceLatestMs`, as `analyze --since`
   * means it: the window ends at the newest record, not at the clock.
   */
  sinceLatestMs?: number;
  client?: S3Client;
  /** Where to put the objects; a new temporary folder when absent (the caller removes it). */
  dir?: string;
  /** ListObjectsV2 page size (tests use a small one to cross pages). */
  pageSize?: number;
}

export interface DownloadResult {
  dir: string;
  objects: number;
  bytes: number;
  /** Objects listed but left out (too old, or not raw WAF logs). */
  skipped: number;
}

/**
 * Folders of a waftune bucket that hold no raw WAF records: events/ is the flat Parquet copy of
 * raw/ (reading both would count every request twice), failed/ the errors, athena-results/ query
 * output. Skipped unless the URL points into them.
 */
const NOT_RAW = ['events/', 'failed/', 'athena-results/'];

/**
 * An object under a dated folder (YYYY/MM/DD[/HH]/ as Firehose and WAF's direct delivery write,
 * or dt=YYYY-MM-DD/) holds records that arrived up to one buffer interval (at most 15 minutes)
 * after the folder's period, and requests made a few minutes before it (WAF's delivery delay); an
 * hour of slack on each side covers both with room to spare.
 */
const SLACK_MS = 60 * 60 * 1000;
const CONCURRENCY = 4;

export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!match?.[1]) throw new Error(`not an s3:// URL: ${url}`);
  return { bucket: match[1], prefix: match[2] ?? '' };
}

/** An S3 client from the standard SDK configuration, safe for local S3 endpoints too (aws-client-config.ts). */
export function createS3Client(config: S3ClientConfig = {}): S3Client {
  return new S3Client(s3ClientConfig(config));
}

/** The period (UTC ms, end exclusive) a key's date names, or undefined when it names none. */
export function keyPeriod(key: string): { start: number; end: number } | undefined {
  const dt = /(?:^|\/)dt=(\d{4})-(\d{2})-(\d{2})\//.exec(key);
  if (dt) return period(dt[1], dt[2], dt[3], undefined);
  const path = /(?:^|\/)(\d{4})\/(\d{2})\/(\d{2})\/(?:(\d{2})\/)?/.exec(key);
  if (path) return period(path[1], path[2], path[3], path[4]);
  return undefined;
}

function period(y?: string, m?: string, d?: string, h?: string): { start: number; end: number } | undefined {
  const [year, month, day] = [Number(y), Number(m), Number(d)];
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  if (h === undefined)
    return { start: Date.UTC(year, month - 1, day), end: Date.UTC(year, month - 1, day + 1) };
  const hour = Number(h);
  if (hour > 23) return undefined;
  return { start: Date.UTC(year, month - 1, day, hour), end: Date.UTC(year, month - 1, day, hour + 1) };
}

/**
 * Bounds on the request times an object can hold. The key's date bounds both sides; LastModified
 * bounds the newest (an object is written after its records), and, for an undated key, the oldest
 * too (Firehose and WAF write within minutes of receiving).
 */
export function recordTimeBounds(key: string, lastModified?: Date): { lo: number; hi: number } {
  const p = keyPeriod(key);
  const written = lastModified?.getTime();
  const hi = Math.min(p ? p.end + SLACK_MS : Number.POSITIVE_INFINITY, written ?? Number.POSITIVE_INFINITY);
  const lo = p ? p.start - SLACK_MS : written !== undefined ? written - SLACK_MS : Number.NEGATIVE_INFINITY;
  return { lo, hi };
}

/** Where a key lands under dir; undefined for a key that would escape it or names a folder. */
export function localPathFor(dir: string, key: string): string | undefined {
  if (key.endsWith('/') || key.includes('\0')) return undefined;
  const parts = key.split('/').filter((p) => p.length > 0);
  if (parts.length === 0 || parts.some((p) => p === '.' || p === '..')) return undefined;
  const root = resolve(dir);
  const target = resolve(root, ...parts);
  return target.startsWith(root + sep) ? target : undefined;
}

interface Listed {
  key: string;
  size: number;
  path: string;
  lo: number;
  hi: number;
}

export async function downloadS3Prefix(url: string, options: DownloadOptions = {}): Promise<DownloadResult> {
  const { bucket, prefix } = parseS3Url(url);
  const client = options.client ?? createS3Client();
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'waftune-s3-')));
  const since = options.since?.getTime();
  const skipFolders = NOT_RAW.filter((f) => !prefix.startsWith(f));

  const listed: Listed[] = [];
  let skipped = 0;
  const pages = paginateListObjectsV2(
    { client, ...(options.pageSize ? { pageSize: options.pageSize } : {}) },
    { Bucket: bucket, Prefix: prefix },
  );
  for await (const page of pages) {
    for (const object of page.Contents ?? []) {
      const key = object.Key;
      const path = key === undefined ? undefined : localPathFor(dir, key);
      if (key === undefined || path === undefined || skipFolders.some((f) => key.startsWith(f))) {
        skipped++;
        continue;
      }
      const bounds = recordTimeBounds(key, object.LastModified);
      if (since !== undefined && bounds.hi < since) {
        skipped++;
        continue;
      }
      listed.push({ key, size: object.Size ?? 0, path, ...bounds });
    }
  }

  // The newest record is at least as new as the oldest record of any object, so an object whose
  // newest possible record is older than that by more than the window holds nothing in it.
  let wanted = listed;
  if (options.sinceLatestMs !== undefined && listed.length > 0) {
    const newestAtLeast = listed.reduce((max, o) => Math.max(max, o.lo), Number.NEGATIVE_INFINITY);
    const cutoff = newestAtLeast - options.sinceLatestMs;
    wanted = listed.filter((o) => o.hi >= cutoff);
    skipped += listed.length - wanted.length;
  }

  let bytes = 0;
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < wanted.length; i = next++) {
      const item = wanted[i] as Listed;
      // Await first: `bytes += await ...` would read bytes before the wait and lose other workers' sums.
      const size = await download(client, bucket, item);
      bytes += size;
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, wanted.length) }, worker));
  return { dir, objects: wanted.length, bytes, skipped };
}

async function download(client: S3Client, bucket: string, item: Listed): Promise<number> {
  const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: item.key }));
  if (!out.Body) throw new Error(`s3://${bucket}/${item.key}: empty response`);
  await mkdir(dirname(item.path), { recursive: true });
  await pipeline(out.Body as Readable, createWriteStream(item.path));
  return (await stat(item.path)).size;
}
