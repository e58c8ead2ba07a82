import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CidrSet } from '../../src/cdn/cidr-set.js';
import { cloudFrontSnapshot, snapshotSchema, snapshotText } from '../../src/cdn/ip-ranges.js';
import {
  parseProviderList,
  providerSnapshotSchema,
  providerSnapshotText,
} from '../../src/cdn/provider-ranges.js';
import { publishedCdnOf, shippedProviderSnapshot, shippedSnapshot } from '../../src/cdn/published-edges.js';
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

describe('the shipped Cloudflare and Fastly ranges', () => {
  const VENDOR = join(import.meta.dirname, '..', '..', 'vendor', 'cdn-ranges');
  it('are dated snapshots of the published lists, in the form the update writes', () => {
    for (const cdn of ['cloudflare', 'fastly'] as const) {
      const text = readFileSync(join(VENDOR, `${cdn}.json`), 'utf8');
      const s = providerSnapshotSchema.parse(JSON.parse(text));
      expect(s.provider).toBe(cdn);
      expect(s.retrieved).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(text).toBe(providerSnapshotText(s));
      expect(shippedProviderSnapshot(cdn)).toEqual(s);
    }
  });

  it("tell the providers' edges apart, IPv4 and IPv6, and from CloudFront's", () => {
    expect(publishedCdnOf('162.158.12.7')).toBe('cloudflare');
    expect(publishedCdnOf('172.70.1.1')).toBe('cloudflare');
    expect(publishedCdnOf('2606:4700:10::6816:1')).toBe('cloudflare');
    expect(publishedCdnOf('151.101.65.140')).toBe('fastly');
    expect(publishedCdnOf('2a04:4e42:200::313')).toBe('fastly');
    expect(publishedCdnOf('130.176.1.20')).toBe('cloudfront');
    // A Sucuri edge and a host's own proxy publish nothing waftune ships: trustedProxies names them.
    expect(publishedCdnOf('192.88.134.10')).toBeNull();
    expect(publishedCdnOf('88.99.12.7')).toBeNull();
  });

  it("read each provider's published format and refuse anything else", () => {
    const cf = parseProviderList(
      'cloudflare',
      JSON.stringify({
        success: true,
        errors: [],
        result: { ipv4_cidrs: ['173.245.48.0/20'], ipv6_cidrs: ['2400:cb00::/32'], etag: 'e1' },
      }),
      '2026-12-01',
    );
    expect(cf).toMatchObject({ ipv4: ['173.245.48.0/20'], ipv6: ['2400:cb00::/32'], version: 'e1' });
    const fa = parseProviderList(
      'fastly',
      JSON.stringify({ addresses: ['23.235.32.0/20'], ipv6_addresses: ['2a04:4e40::/32'] }),
      '2026-12-01',
    );
    expect(fa).toMatchObject({ ipv4: ['23.235.32.0/20'], retrieved: '2026-12-01', version: null });
    expect(() => parseProviderList('fastly', JSON.stringify({ addresses: ['nope'] }), '2026-12-01')).toThrow(
      /not fastly's published list: addresses.0/,
    );
    expect(() =>
      parseProviderList('cloudflare', JSON.stringify({ success: false, result: null }), '2026-12-01'),
    ).toThrow(/not cloudflare's published list/);
    expect(() =>
      parseProviderList('fastly', JSON.stringify({ addresses: [], ipv6_addresses: [] }), '2026-12-01'),
    ).toThrow(/names no IPv4 range/);
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
      '--cdn',
      'cloudfront',
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

    const again = await runCli([
      'cdn-ranges',
      'update',
      '--cdn',
      'cloudfront',
      '--url',
      `${base}/ip-ranges.json`,
      '--file',
      file,
    ]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already current/);
    const show = await runCli(['cdn-ranges', 'show', '--cdn', 'cloudfront', '--file', file]);
    expect(show.stdout).toMatch(new RegExp(`2026-12-01T10:00:00Z \\(syncToken ${token}\\)`));
  });

  it('refuses an older file unless forced, and a file that is not ip-ranges.json', async () => {
    const file = join(dir, 'older.json');
    copyFileSync(SHIPPED, file);
    bodies.set('/old.json', published('1500000000'));
    const older = await runCli([
      'cdn-ranges',
      'update',
      '--cdn',
      'cloudfront',
      '--url',
      `${base}/old.json`,
      '--file',
      file,
    ]);
    expect(older.code).toBe(2);
    expect(older.stdout).toMatch(/older than the snapshot/);
    expect(readFileSync(file, 'utf8')).toBe(readFileSync(SHIPPED, 'utf8'));

    bodies.set('/bad.json', JSON.stringify({ syncToken: '1', createDate: 'yesterday', prefixes: [] }));
    const bad = await runCli([
      'cdn-ranges',
      'update',
      '--cdn',
      'cloudfront',
      '--url',
      `${base}/bad.json`,
      '--file',
      file,
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/not an ip-ranges.json file/);
    const missing = await runCli([
      'cdn-ranges',
      'update',
      '--cdn',
      'cloudfront',
      '--url',
      `${base}/missing.json`,
      '--file',
      file,
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/HTTP 404/);
    expect(readFileSync(file, 'utf8')).toBe(readFileSync(SHIPPED, 'utf8'));
  });

  it('refreshes the Cloudflare and Fastly lists from their published answers', async () => {
    const file = join(dir, 'fastly.json');
    copyFileSync(join(import.meta.dirname, '..', '..', 'vendor', 'cdn-ranges', 'fastly.json'), file);
    const ranges = shippedProviderSnapshot('fastly');
    bodies.set(
      '/fastly',
      JSON.stringify({ addresses: [...ranges.ipv4, '198.18.4.0/22'], ipv6_addresses: ranges.ipv6 }),
    );
    const r = await runCli([
      'cdn-ranges',
      'update',
      '--cdn',
      'fastly',
      '--url',
      `${base}/fastly`,
      '--file',
      file,
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      status: 'updated',
      written: true,
      added: ['198.18.4.0/22'],
    });
    const written = providerSnapshotSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
    expect(written.ipv4).toContain('198.18.4.0/22');
    expect(written.retrieved).toBe(new Date().toISOString().slice(0, 10));
    const again = await runCli([
      'cdn-ranges',
      'update',
      '--cdn',
      'fastly',
      '--url',
      `${base}/fastly`,
      '--file',
      file,
    ]);
    expect(again.stdout).toMatch(/already current: Fastly ranges/);
    const show = await runCli(['cdn-ranges', 'show', '--json']);
    expect(Object.keys(JSON.parse(show.stdout))).toEqual(['cloudfront', 'cloudflare', 'fastly']);
    const mixed = await runCli(['cdn-ranges', 'update', '--url', `${base}/fastly`]);
    expect(mixed.code).toBe(64);
    expect(mixed.stderr).toMatch(/--url and --file name one list/);
  });
});
