import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RejectLog } from '../../src/ingest/rejects.js';

const dir = mkdtempSync(join(tmpdir(), 'waftune-rejects-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('rejected input kept aside', () => {
  it('never keeps a cookie or authorization value, whatever shape the broken line has', async () => {
    const file = join(dir, 'rejects.jsonl');
    const log = new RejectLog(file);
    const lines = [
      '{"httpRequest":{"headers":[{"name":"Cookie","value":"wordpress_logged_in_ab=admin%7Csecret1"},{"name":"Host","value":"a"}',
      '{"headers":[{"value":"Bearer secret2","name":"authorization"}]}',
      'GET / HTTP/1.1\r\nCookie: wordpress_sec_x=secret3\r\nHost: a',
      '{"name" : "cookie" , "value" : "esc\\"aped secret4"',
    ];
    for (const [i, excerpt] of lines.entries()) {
      log.add({ file: 'in.jsonl', line: i + 1, reason: 'truncated JSON line', excerpt });
    }
    const summary = await log.close();
    const stored = readFileSync(file, 'utf8');
    expect(stored.split('\n').filter(Boolean)).toHaveLength(4);
    expect(stored).not.toMatch(/secret[1-4]/);
    expect(stored).toContain('[removed by waftune]');
    expect(stored).toContain('"name\\":\\"Host\\",\\"value\\":\\"a\\"');
    expect(summary).toMatchObject({ total: 4, files: 1, file, byReason: { 'truncated JSON line': 4 } });
    expect(JSON.stringify(summary.samples)).not.toMatch(/secret[1-4]/);
  });
});
