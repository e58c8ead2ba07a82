import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CidrSet } from '../../src/cdn/cidr-set.js';
import { cloudFrontSnapshot, snapshotSchema, snapshotText } from '../../src/cdn/ip-ranges.js';
import { publishedCdnOf, shippedSnapshot } from '../../src/cdn/published-edges.js';
import { runCli } from '../support/run-cli.js';

const SHIPPED = join(import.meta.dirname, '..', '..', 'vendor', 'aws-ip-ranges', 'cloudfront.json');
const shipped = () => snapshotSchema.parse(JSON.parse(readFileSync(SHIPPED, 'utf8')));

describe('CIDR sets', () => {
  const set = new CidrSet(['13.32.0.0/15', '13.35.0.0/16', '13.33.5.0/24', '52.84.0.0/15', '2600:9000::/28']);
  it('answers membership at the range edges, IPv4 and IPv6', () => {
    for (const ip of [
      '13.32.0.0',
      '13.33.255.255',
      '13.35.7.1',
      '52.85.255.255',
      '2600:9000:2000::1',
      '::ffff:13.32.9.9',
    ])
      expect(set.has(ip), ip).toBe(true);
    for (const ip of [
      '13.31.255.255',
      '13.34.0.0',
      '13.36.0.0',
      '52.86.0.0',
      '2600:9010::1',
      '1.2.3',
      '013.32.0.1',
      'x',
    ])
      expect(set.has(ip), ip).toBe(false);
  });
});

describe('the shipped CloudFront ranges', () => {
  it('come from a dated published file and are in the canonical form the update writes', () => {
    const s = shipped();
    expect(s.createDate).toMatch(/^\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}$/);
    expect(s.syncToken).toMatch(/^\d+$/);
    expect(new Set([...s.prefixes, ...s.ipv6_prefixes].map((p) => p.service))).toEqual(
      new Set(['CLOUDFRONT', 'CLOUDFRONT_ORIGIN_FACING']),
    );
    expect(s.prefixes.length).toBeGreaterThan(100);
    expect(readFileSync(SHIPPED, 'utf8')).toBe(snapshotText(cloudFrontSnapshot(s)));
    expect(shippedSnapshot()).toMatchObject({ createDate: s.createDate, syncToken: s.syncToken });
  });

  it('recognise CloudFront edge and origin-facing addresses, and nothing else', () => {
    expect(publishedCdnOf('130.176.1.20')).toBe('cloudfront');
    expect(publishedCdnOf('64.252.64.7')).toBe('cloudfront');
    expect(publishedCdnOf('2600:9000:2000::1')).toBe('cloudfront');
    expect(publishedCdnOf('203.0.113.9')).toBeNull();
    expect(publishedCdnOf('10.0.0.1')).toBeNull();
  });
});

describe('waftune cdn-ranges update', () => {
  let server: Server;
  let base = '';
  let dir = '';
  const bodies = new Map<string, string>();
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'waftune-cdn-'));
    server = createServer((req, res) => {
      const body = bodies.get(req.url ?? '');
      if (body === undefined) {
        res.writeHead(404).end('no');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  /** A published file like AWS's: other services around the CloudFront entries, and fields it may add. */
  function published(syncToken: string, extra: string[] = []) {
    const s = shipped();
    return JSON.stringify({
      syncToken,
      createDate: '2026-12-01-10-00-00',
      prefixes: [
        { ip_prefix: '3.5.140.0/22', region: 'ap-northeast-2', service: 'AMAZON', network_border_group: 'x' },
        ...s.prefixes,
        ...extra.map((ip_prefix) => ({
          ip_prefix,
          region: 'GLOBAL',
          service: 'CLOUDFRONT',
          network_border_group: 'GLOBAL',
        })),
      ],
      ipv6_prefixes: [
        ...s.ipv6_prefixes,
        { ipv6_prefix: '2a05:d07a::/32', region: 'eu-south-1', service: 'S3' },
      ],
      newField: true,
    });
  }

  it('downloads the published file, keeps its CloudFront entries and records its date and sync token', async () => {
    const file = join(dir, 'cloudfront.json');
    copyFileSync(SHIPPED, file);
    const token = String(BigInt(shipped().syncToken) + 100n);
    bodies.set('/ip-ranges.json', published(token, ['198.18.0.0/24']));
    const r = await runCli([
      'cdn-ranges',
      'update',
      '--url',
      `${base}/ip-ranges.json`,
      '--file',
      file,
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      status: 'updated',
      written: true,
      added: ['198.18.0.0/24 CLOUDFRONT'],
      removed: [],
    });
    const written = snapshotSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
    expect(written).toMatchObject({ syncToken: token, createDate: '2026-12-01-10-00-00' });
    expect(written.prefixes.some((p) => p.service === 'AMAZON')).toBe(false);
    expect(written.prefixes.length).toBe(shipped().prefixes.length + 1);

    const again = await runCli(['cdn-ranges', 'update', '--url', `${base}/ip-ranges.json`, '--file', file]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already current/);
    const show = await runCli(['cdn-ranges', 'show', '--file', file]);
    expect(show.stdout).toMatch(new RegExp(`2026-12-01T10:00:00Z \\(syncToken ${token}\\)`));
  });

  it('refuses an older file unless forced, and a file that is not ip-ranges.json', async () => {
    const file = join(dir, 'older.json');
    copyFileSync(SHIPPED, file);
    bodies.set('/old.json', published('1500000000'));
    const older = await runCli(['cdn-ranges', 'update', '--url', `${base}/old.json`, '--file', file]);
    expect(older.code).toBe(2);
    expect(older.stdout).toMatch(/older than the snapshot/);
    expect(readFileSync(file, 'utf8')).toBe(readFileSync(SHIPPED, 'utf8'));

    bodies.set('/bad.json', JSON.stringify({ syncToken: '1', createDate: 'yesterday', prefixes: [] }));
    const bad = await runCli(['cdn-ranges', 'update', '--url', `${base}/bad.json`, '--file', file]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/not an ip-ranges.json file/);
    const missing = await runCli(['cdn-ranges', 'update', '--url', `${base}/missing.json`, '--file', file]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/HTTP 404/);
    expect(readFileSync(file, 'utf8')).toBe(readFileSync(SHIPPED, 'utf8'));
  });
});
