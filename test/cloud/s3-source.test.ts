import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadS3Prefix, keyPeriod, localPathFor, parseS3Url } from '../../adapters/s3-source.js';
import { exampleRecords } from './firehose.js';
import { gzipLines, type LocalS3, startLocalS3 } from './local-s3.js';

const BUCKET = 'waftune-logs';
const lines = exampleRecords();
const NOW = new Date();
const hourFolder = (d: Date) =>
  `${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}/${String(d.getUTCHours()).padStart(2, '0')}`;
const recent = hourFolder(NOW);
const objects: Record<string, Buffer | string> = {
  [`raw/${recent}/aws-waf-logs-waftune-test-1-a.gz`]: gzipLines(lines.slice(0, 3)),
  [`raw/${recent}/aws-waf-logs-waftune-test-1-b.gz`]: gzipLines(lines.slice(3)),
  'raw/2020/01/01/00/aws-waf-logs-waftune-test-1-old.gz': gzipLines(lines),
  'events/dt=2026-11-20/aws-waf-logs-waftune-test-1-x.parquet': 'PAR1....PAR1',
  'failed/processing-failed/2026/11/20/aws-waf-logs-waftune-test-1-y': '{"rawData":"e30="}\n',
  'athena-results/q-1.csv': '"a"\n',
  // WAF's own S3 delivery, from a fleet that stopped logging long ago.
  'AWSLogs/111122223333/WAFLogs/eu-west-1/fleet/2020/01/01/00/05/a.log.gz': gzipLines(lines.slice(0, 2)),
  'AWSLogs/111122223333/WAFLogs/eu-west-1/fleet/2020/01/02/05/10/b.log.gz': gzipLines(lines.slice(2, 4)),
  'AWSLogs/111122223333/WAFLogs/eu-west-1/fleet/2020/01/02/06/15/c.log.gz': gzipLines(lines.slice(4)),
};

let s3: LocalS3;

beforeAll(async () => {
  s3 = await startLocalS3([BUCKET]);
  for (const [key, body] of Object.entries(objects)) await s3.put(BUCKET, key, body);
});

afterAll(async () => {
  await s3?.close();
});

describe('downloadS3Prefix (s3rver)', () => {
  it('lists every page and downloads raw log objects with their key layout, byte for byte', async () => {
    const result = await downloadS3Prefix(`s3://${BUCKET}`, { client: s3.client, pageSize: 2 });
    try {
      expect(result.objects).toBe(6);
      expect(result.skipped).toBe(3);
      for (const key of Object.keys(objects).filter(
        (k) => k.startsWith('raw/') || k.startsWith('AWSLogs/'),
      )) {
        expect(readFileSync(join(result.dir, key))).toEqual(objects[key]);
      }
      expect(result.bytes).toBe(
        Object.entries(objects)
          .filter(([k]) => k.startsWith('raw/') || k.startsWith('AWSLogs/'))
          .reduce((n, [, b]) => n + Buffer.byteLength(b), 0),
      );
      const text = gunzipSync(
        readFileSync(join(result.dir, `raw/${recent}/aws-waf-logs-waftune-test-1-a.gz`)),
      );
      expect(text.toString().split('\n').filter(Boolean)).toEqual(lines.slice(0, 3));
    } finally {
      rmSync(result.dir, { recursive: true, force: true });
    }
  });

  it('skips objects older than --since by the date in their key', async () => {
    const since = new Date(NOW.getTime() - 24 * 3600_000);
    const result = await downloadS3Prefix(`s3://${BUCKET}/raw/`, { client: s3.client, since });
    try {
      expect(result.objects).toBe(2);
      expect(result.skipped).toBe(1);
    } finally {
      rmSync(result.dir, { recursive: true, force: true });
    }
  });

  it('--since as analyze means it: the last part of the data, however old the data is', async () => {
    const result = await downloadS3Prefix(`s3://${BUCKET}/AWSLogs/`, {
      client: s3.client,
      sinceLatestMs: 6 * 3600_000,
    });
    try {
      expect(result.objects).toBe(2);
      expect(result.skipped).toBe(1);
      expect(
        existsSync(
          join(result.dir, 'AWSLogs/111122223333/WAFLogs/eu-west-1/fleet/2020/01/01/00/05/a.log.gz'),
        ),
      ).toBe(false);
    } finally {
      rmSync(result.dir, { recursive: true, force: true });
    }
  });

  it('reads the other folders only when pointed at them', async () => {
    const result = await downloadS3Prefix(`s3://${BUCKET}/failed/`, { client: s3.client });
    rmSync(result.dir, { recursive: true, force: true });
    expect(result.objects).toBe(1);
  });
});

describe('S3 keys', () => {
  it('parses s3:// URLs', () => {
    expect(parseS3Url('s3://b')).toEqual({ bucket: 'b', prefix: '' });
    expect(parseS3Url('s3://b/raw/2026/')).toEqual({ bucket: 'b', prefix: 'raw/2026/' });
    expect(() => parseS3Url('https://b/x')).toThrow(/not an s3/);
  });

  it('reads the period a key names: Firehose hours, WAF direct delivery, dt= partitions', () => {
    const hour = (h: number) => ({ start: Date.UTC(2026, 10, 20, h), end: Date.UTC(2026, 10, 20, h + 1) });
    expect(keyPeriod('raw/2026/11/20/13/x.gz')).toEqual(hour(13));
    expect(keyPeriod('AWSLogs/111122223333/WAFLogs/eu-west-1/acl/2026/11/20/13/05/x.log.gz')).toEqual(
      hour(13),
    );
    const day = { start: Date.UTC(2026, 10, 20), end: Date.UTC(2026, 10, 21) };
    expect(keyPeriod('events/dt=2026-11-20/x')).toEqual(day);
    expect(keyPeriod('logs/2026/11/20/x.gz')).toEqual(day);
    expect(keyPeriod('logs/x.gz')).toBeUndefined();
    expect(keyPeriod('logs/2026/13/20/x.gz')).toBeUndefined();
  });

  it('never writes outside the download folder', () => {
    expect(localPathFor('/tmp/d', 'raw/a.gz')).toBe('/tmp/d/raw/a.gz');
    expect(localPathFor('/tmp/d', 'raw//a.gz')).toBe('/tmp/d/raw/a.gz');
    expect(localPathFor('/tmp/d', '/abs/a.gz')).toBe('/tmp/d/abs/a.gz');
    expect(localPathFor('/tmp/d', '../../etc/passwd')).toBeUndefined();
    expect(localPathFor('/tmp/d', 'raw/./a')).toBeUndefined();
    expect(localPathFor('/tmp/d', 'raw/')).toBeUndefined();
  });
});
