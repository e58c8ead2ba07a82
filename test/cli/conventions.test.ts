import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { colorEnabled } from '../../cli/color.js';
import { COMMANDS, registerAllCommands } from '../../cli/commands/index.js';
import { WAFTUNE_VERSION } from '../../src/version.js';
import { runCli } from '../support/run-cli.js';
import { awsDocExampleLines } from '../support/vendored.js';
import { ipBlock, suggestionSet } from '../waf/suggestions.js';

/** The command-line conventions operators rely on in scripts, CI and terminals. */

const ROOT = join(import.meta.dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'waftune-conv-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const noAws = {
  AWS_ACCESS_KEY_ID: undefined,
  AWS_SECRET_ACCESS_KEY: undefined,
  AWS_PROFILE: undefined,
  AWS_REGION: 'eu-west-1',
  AWS_CONFIG_FILE: join(scratch, 'none'),
  AWS_SHARED_CREDENTIALS_FILE: join(scratch, 'none'),
  AWS_EC2_METADATA_DISABLED: 'true',
  NODE_NO_WARNINGS: '1',
};

function savedSuggestions(): string {
  const dir = mkdtempSync(join(scratch, 'state-'));
  writeFileSync(
    join(dir, 'suggestions.json'),
    JSON.stringify(suggestionSet([ipBlock('ipb-1', ['198.51.100.7'])])),
  );
  return dir;
}

describe('version and exit codes', () => {
  it('--version prints the version package.json names', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(WAFTUNE_VERSION).toBe(pkg.version);
    const r = await runCli(['--version']);
    expect(r).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
  });

  it('tells a usage error (64) from a failure (1)', async () => {
    const unknown = await runCli(['anlyze', 'x']);
    expect(unknown.code).toBe(64);
    expect(unknown.stderr).toContain("unknown command 'anlyze'");
    expect(unknown.stderr).toContain('(Did you mean analyze?)');
    expect((await runCli(['plan', '--nope'])).code).toBe(64);
    const engine = await runCli(['analyze', 'x', '--engine', 'sqlite']);
    expect(engine.code).toBe(64);
    expect(engine.stderr).toContain('Allowed choices are duckdb, athena');
    expect((await runCli(['analyze', 'x', '--since', 'yesterday'])).code).toBe(64);
    const failure = await runCli(['plan', '--suggestions', join(scratch, 'missing.json')]);
    expect(failure.code).toBe(1);
  });
});

/** Every command's full help text, as `waftune <command> --help` prints it (in this process). */
async function helpTexts(): Promise<Map<string, string>> {
  const program = new Command('waftune');
  await registerAllCommands(program);
  const texts = new Map<string, string>();
  for (const cmd of program.commands) {
    let text = '';
    cmd.configureOutput({ writeOut: (s) => (text += s), getOutHelpWidth: () => 200 });
    cmd.outputHelp();
    texts.set(cmd.name(), text);
  }
  return texts;
}

describe('help', () => {
  it('gives every command an example and the environment variables it reads; --engine its choices and one default', async () => {
    const texts = await helpTexts();
    expect([...texts.keys()]).toEqual(COMMANDS.map((c) => c.name));
    for (const [name, help] of texts) {
      expect(help, name).toMatch(/Examples:\n {2}\$ waftune /);
      expect(help, name).toContain('Environment:');
      expect(help, name).toContain('NO_COLOR');
      expect(help, name).toContain('Exit codes:');
      // Where the command has the option (an example may name it for another command).
      if (/^ +--engine <engine>/m.test(help))
        expect(help.replace(/\s+/g, ' ')).toContain('(choices: "duckdb", "athena", default: "duckdb")');
    }
    // And the same from the command line.
    const plan = await runCli(['plan', '--help']);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('$ waftune plan --format terraform');
  }, 60_000);

  it('lists every environment variable the CLI reads in some help text', async () => {
    const read = new Set<string>();
    const scan = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) scan(p);
        else if (p.endsWith('.ts'))
          for (const m of readFileSync(p, 'utf8').matchAll(/process\.env\.([A-Z_][A-Z0-9_]*)/g))
            read.add(m[1] as string);
      }
    };
    scan(join(ROOT, 'cli'));
    scan(join(ROOT, 'adapters'));
    const all = [...(await helpTexts()).values()].join('\n');
    // TMPDIR is waftune's own run folder (cli/signals.ts), set, not read.
    for (const name of [...read].filter((n) => n !== 'TMPDIR')) expect(all, name).toContain(name);
    expect(read.size).toBeGreaterThan(5);
  });
});

describe('colour', () => {
  it('follows --no-color, then FORCE_COLOR, then NO_COLOR, then the terminal', () => {
    expect(colorEnabled({ isTTY: true }, {})).toBe(true);
    expect(colorEnabled({ isTTY: false }, {})).toBe(false);
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(colorEnabled({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
    expect(colorEnabled({ isTTY: false }, { FORCE_COLOR: '1', NO_COLOR: '1' })).toBe(true);
    expect(colorEnabled({ isTTY: true }, { FORCE_COLOR: '0' })).toBe(false);
    expect(colorEnabled({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
  });

  it('colours a report in a pipe with FORCE_COLOR, and not with --no-color', async () => {
    const logs = join(scratch, 'one.jsonl');
    writeFileSync(logs, `${awsDocExampleLines().join('\n')}\n`);
    const forced = await runCli(['analyze', logs, '--no-save'], { FORCE_COLOR: '1' });
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain('\u001b[');
    const off = await runCli(['analyze', logs, '--no-save', '--no-color'], { FORCE_COLOR: '1' });
    expect(off.stdout).not.toContain('\u001b[');
    const before = await runCli(['--no-color', 'analyze', logs, '--no-save'], { FORCE_COLOR: '1' });
    expect(before.stdout).not.toContain('\u001b[');
  }, 60_000);
});

describe('configuration and state', () => {
  it('names the file and the key of a bad config entry, for every command that takes --config', async () => {
    const config = join(scratch, 'bad-config.json');
    writeFileSync(config, JSON.stringify({ allowlist: ['203.0.113.0/24', '10.0.0.300'] }));
    for (const args of [['plan'], ['apply', '--yes'], ['changes'], ['expire'], ['analyze', 'x']]) {
      const r = await runCli([...args, '--config', config, '--state-dir', savedSuggestions()], noAws);
      expect(r.code, args.join(' ')).toBe(64);
      expect(r.stderr).toContain(`config ${config} is not valid`);
      expect(r.stderr).toContain('allowlist[1]: "10.0.0.300" is not an IP address or CIDR range');
    }
  }, 120_000);

  it('checks up front that it can write the state folder, and runs read-only with --no-save', async () => {
    const file = join(scratch, 'a-file');
    writeFileSync(file, '');
    const logs = join(scratch, 'two.jsonl');
    writeFileSync(logs, `${awsDocExampleLines().join('\n')}\n`);
    const r = await runCli(['analyze', logs, '--state-dir', join(file, 'state')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot write the state folder ${join(file, 'state')}`);
    expect(r.stderr).toContain('--no-save');
    expect(r.stdout).toBe('');
    const ro = await runCli(['analyze', logs, '--state-dir', join(file, 'state'), '--no-save', '--json']);
    expect(ro.code).toBe(0);
    expect(JSON.parse(ro.stdout).input.rejectsFile).toBeNull();
  }, 60_000);
});

describe('failures that hit everything', () => {
  it('says "no credentials" once and exits 1, not once per web ACL as a partial failure', async () => {
    const r = await runCli(['plan', '--state-dir', savedSuggestions()], noAws);
    expect(r.code).toBe(1);
    expect(r.stderr.match(/no AWS credentials/g)).toHaveLength(1);
    expect(r.stdout).toBe('');
  }, 60_000);

  it('apply against an unreachable endpoint fails once, without claiming there was nothing to change', async () => {
    const r = await runCli(['apply', '--yes', '--state-dir', savedSuggestions()], {
      ...noAws,
      AWS_ACCESS_KEY_ID: 'AKIDLOCAL',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_WAFV2: 'http://127.0.0.1:9',
      AWS_MAX_ATTEMPTS: '1',
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot reach AWS \(ECONNREFUSED\)/);
    expect(r.stdout + r.stderr).not.toContain('No changes');
  }, 60_000);
});

describe('signals', () => {
  it('SIGTERM ends analyze at once: exit 143, its work folder removed', async () => {
    const tmp = mkdtempSync(join(scratch, 'tmp-'));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'cli/waftune.ts', 'analyze', 'fixtures/demo', '--no-save'],
      {
        cwd: ROOT,
        env: { ...process.env, TMPDIR: tmp, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // Wait for analyze's work folder (DuckDB's temporary folder, the spill files) in the run folder.
    const duckdb = () =>
      readdirSync(tmp).some(
        (run) =>
          existsSync(join(tmp, run)) &&
          readdirSync(join(tmp, run), { recursive: true }).some((f) => /^waftune-[^/]+$/.test(String(f))),
      );
    for (let i = 0; i < 600 && !duckdb(); i++) await new Promise((r) => setTimeout(r, 50));
    expect(duckdb()).toBe(true);
    child.kill('SIGTERM');
    expect(await closed).toBe(143);
    // tsx, which runs the sources in this test, keeps its cache there too; waftune's run folder is gone.
    expect(readdirSync(tmp).filter((f) => !f.startsWith('tsx-'))).toEqual([]);
  }, 60_000);
});
