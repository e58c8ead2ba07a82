import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFleet } from '../../fixtures/generator/index.js';
import type { Report } from '../../schemas/report.js';
import { analyzeSource } from '../support/analysis.js';
import { filesUnder, withPrivateTmpdir } from '../support/files.js';
import { expectChecksLeaveNothing } from '../support/watch-checks.js';
import { type LocalS3, startLocalS3 } from './local-s3.js';

/**
 * The same Firehose-delivered logs, analysed from a folder and from S3 (s3rver on 127.0.0.1, read
 * through the S3 API): the reports must agree.
 */

const BUCKET = 'waftune-fleet';
let s3: LocalS3;
let work: string;
let local: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'waftune-analyze-s3-'));
  local = join(work, 'logs');
  // Two days of a small fleet, in Firehose's layout: YYYY/MM/DD/HH/<stream>-...gz, gzip JSON lines.
  await writeFleet(local, {
    seed: 42,
    day: '2026-11-18',
    days: 2,
    sites: 12,
    scale: 0.05,
    bufferSeconds: 3600,
  });
  s3 = await startLocalS3([BUCKET]);
  for (const file of filesUnder(local))
    await s3.put(BUCKET, `raw/${relative(local, file)}`, readFileSync(file));
  // What else lives in a waftune bucket, and must not be read as raw logs.
  await s3.put(
    BUCKET,
    'events/dt=2026-11-19/aws-waf-logs-waftune-test-1-x.parquet',
    Buffer.from('PAR1\0\0PAR1'),
  );
  await s3.put(BUCKET, 'failed/processing-failed/2026/11/19/x', '{"rawData":"bm90IGpzb24="}\n');
  await s3.put(BUCKET, 'athena-results/q.csv', '"action"\n');
}, 120_000);

afterAll(async () => {
  await s3?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

const report = (source: string, since?: string) => analyzeSource(source, join(work, 'state'), since);

/**
 * What must agree. The analysis leaves order among equals to DuckDB's threads, so even the same
 * files twice can differ in order (seen with this very data, local against local): lists are
 * compared as multisets. The two candidate lists are also cut at a fixed length after a ranking
 * with ties, so which equals make the cut varies too: those are compared by length; and a path's
 * top rule is max_by over counts that can tie. Everything else (totals, rules, paths and their
 * counts, fleet, window, suggestions and their ids) must have equal content.
 */
function comparable(r: Report): unknown {
  const { input: _input, falsePositiveCandidates, attackSources, topBlockedPaths, ...rest } = r;
  return unordered({
    ...rest,
    topBlockedPaths: topBlockedPaths.map(({ topRule: _topRule, ...path }) => path),
    falsePositiveCandidates: falsePositiveCandidates.length,
    attackSources: attackSources.length,
  });
}

function unordered(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value
      .map(unordered)
      .map((v) => [JSON.stringify(v), v] as const)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([, v]) => v);
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unordered(v)]));
  }
  return value;
}

/** Where two reports differ, as paths: a readable failure instead of two pages of JSON. */
function differences(a: unknown, b: unknown, path = '$', out: string[] = []): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return out;
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys)
      differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`, out);
  } else {
    out.push(`${path}: ${JSON.stringify(a)?.slice(0, 300)} != ${JSON.stringify(b)?.slice(0, 300)}`);
  }
  return out;
}

describe('waftune analyze s3://bucket/prefix', () => {
  it('reports exactly what the same files on disk give', async () => {
    const fromDisk = await report(local);
    const fromS3 = await report(`s3://${BUCKET}`);
    expect(fromDisk.input.events).toBeGreaterThan(1000);
    expect(fromS3.input.rejected).toBe(0);
    expect(differences(comparable(fromS3), comparable(fromDisk))).toEqual([]);
    expect({ ...fromS3.input, rejectsFile: null }).toEqual({ ...fromDisk.input, rejectsFile: null });
  });

  it('with --since, downloads only the objects the window can need, and still agrees', async () => {
    const fromDisk = await report(local, '6h');
    const fromS3 = await report(`s3://${BUCKET}/raw/`, '6h');
    expect(differences(comparable(fromS3), comparable(fromDisk))).toEqual([]);
    expect(fromS3.input.files).toBeLessThan(fromDisk.input.files);
    expect(fromS3.input.files).toBeGreaterThan(0);
  });

  it('removes what it downloaded when the analysis (or a digest or watch check) is done, not at exit', async () => {
    // A long-running watch downloads again at every check.
    await withPrivateTmpdir(work, async (left) => {
      const fromS3 = await report(`s3://${BUCKET}/raw/`);
      expect(fromS3.input.events).toBeGreaterThan(1000);
      expect(left()).toEqual([]);
      await expectChecksLeaveNothing([`s3://${BUCKET}/raw/`], join(work, 'digest-state'), left);
    });
  });
});
