import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * waftune as an operator gets it: `npm pack`, then `npm install <tarball>` into an empty folder
 * (dependencies from the npm registry), then the installed command, which runs the compiled
 * JavaScript with no TypeScript tooling anywhere.
 */

const ROOT = join(import.meta.dirname, '..', '..');
let work: string;
let tarball: string;
let packed: { files: { path: string }[]; size: number; unpackedSize: number };
let bin: string;

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    timeout: 400_000,
    env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', NO_COLOR: '1', ...env },
  });
  if (r.status !== 0 && r.status !== 2)
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'waftune-pack-'));
  // `npm pack` runs `prepare`, which builds dist/ from the sources of this tree.
  const pack = run('npm', ['pack', '--json', '--pack-destination', work], ROOT);
  packed = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('[')))[0];
  tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz')) ?? 'missing.tgz');
  cpSync(join(ROOT, 'fixtures', 'demo'), join(work, 'demo'), { recursive: true });
  writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'operator', private: true }));
  run('npm', ['install', '--no-audit', '--no-fund', '--omit=dev', tarball], work);
  bin = join(work, 'node_modules', '.bin', 'waftune');
}, 600_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the npm package', () => {
  it('ships what runs: compiled code, the queries, README, LICENSE and the JSON Schemas; no sources or fixtures', () => {
    const files = packed.files.map((f) => f.path);
    for (const f of [
      'bin/waftune.js',
      'dist/cli/waftune.js',
      'dist/src/analyze/worker-boot.mjs',
      'dist/src/analyze/ingest-worker.js',
      'queries/blocked_groups.sql',
      'schemas/json/suggestion-set.schema.json',
      'README.md',
      'LICENSE',
      'package.json',
    ])
      expect(files, f).toContain(f);
    expect(files.filter((f) => /^(fixtures|test|vendor|bench|functions|infra)\/|\.ts$/.test(f))).toEqual([]);
    expect(packed.size).toBeLessThan(1_000_000);
  });

  it('installs without TypeScript tooling or the Lambda-only packages', () => {
    const modules = join(work, 'node_modules');
    for (const dev of [
      'tsx',
      'esbuild',
      'typescript',
      '@middy/core',
      '@aws-lambda-powertools/logger',
      '@aws-sdk/client-ssm',
    ])
      expect(existsSync(join(modules, dev)), dev).toBe(false);
    expect(existsSync(join(modules, 'waftune', 'dist', 'cli', 'waftune.js'))).toBe(true);
  });

  it('runs: --version, and analyze on a copy of the demo (worker threads on compiled JavaScript)', () => {
    const version = run(bin, ['--version'], work);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
    const analyze = run(bin, ['analyze', 'demo', '--state-dir', 'state'], work);
    expect(analyze.status, analyze.stderr).toBe(2);
    expect(analyze.stdout).toContain('Suggestions');
    expect(analyze.stdout).toContain('Rejected input');
    expect(existsSync(join(work, 'state', 'suggestions.json'))).toBe(true);
  }, 180_000);

  it('ends watch cleanly on SIGTERM: exit 143, no process left, no temporary files', async () => {
    const tmp = mkdtempSync(join(work, 'tmp-'));
    const child = spawn(bin, ['watch', 'demo', '--interval', '1h', '--state-dir', 'state-watch'], {
      cwd: work,
      env: { ...process.env, NO_COLOR: '1', TMPDIR: tmp },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const first = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 150_000);
      child.stdout.on('data', () => {
        if (/alert/.test(out)) {
          clearTimeout(timer);
          resolve(true);
        }
      });
    });
    expect(first, out).toBe(true);
    const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await closed).toBe(143);
    expect(() => process.kill(child.pid ?? -1, 0)).toThrow();
    expect(readdirSync(tmp)).toEqual([]);
  }, 200_000);
});
