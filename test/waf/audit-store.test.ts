import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileAuditStore } from '../../adapters/audit-store-fs.js';
import { S3AuditStore } from '../../adapters/audit-store-s3.js';
import type { Decision } from '../../schemas/decision.js';
import type { DecisionStore } from '../../src/suggest/decisions.js';
import {
  type AuditStore,
  type ChangeEntry,
  type ChangeHeader,
  resolveChangeId,
  summarize,
} from '../../src/waf/audit.js';
import { ChangeRun } from '../../src/waf/change-run.js';
import { type LocalS3, startLocalS3 } from '../cloud/local-s3.js';
import { ipBlock, override } from './suggestions.js';

/**
 * One contract, two stores: the local files the CLI uses by default and the S3 objects the
 * scheduled functions share with it. Whatever one remembers, the other must remember the same way.
 */

const actor = { user: 'tester', host: 'ci' };

function header(id: string, createdAt: string, extra: Partial<ChangeHeader> = {}): ChangeHeader {
  return {
    version: 1,
    id,
    kind: 'apply',
    createdAt,
    actor,
    suggestions: [override('ov-1', ['site-a']), ipBlock('ip-1', ['198.51.100.7'])],
    targets: ['arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/site-a/1'],
    ...extra,
  };
}

function entry(seq: number, name = `site-${seq}`): ChangeEntry {
  return {
    seq,
    at: `2025-06-01T00:00:${String(seq % 60).padStart(2, '0')}.000Z`,
    target: {
      type: 'ip-set',
      name,
      id: `id-${seq}`,
      arn: `arn:aws:wafv2:eu-west-1:123456789012:regional/ipset/${name}/id-${seq}`,
      scope: 'REGIONAL',
      region: 'eu-west-1',
      version: 'IPV4',
    },
    status: 'applied',
    suggestionIds: ['ip-1'],
    before: { addresses: [] },
    after: { addresses: ['198.51.100.7/32'] },
    ipBlocks: [{ address: '198.51.100.7/32', expiresAt: '2025-06-08T00:00:00.000Z', suggestionId: 'ip-1' }],
  };
}

function behavesAsAnAuditStore(name: string, make: () => AuditStore & DecisionStore) {
  describe(name, () => {
    it('gives back a change exactly as recorded: header, entries in order, summary', async () => {
      const store = make();
      const h = header('20250601-000000-aaaa', '2025-06-01T00:00:00.000Z', { command: ['waftune', 'apply'] });
      await store.begin(h);
      // Entries land as targets finish, not in sequence order.
      for (const seq of [2, 0, 1]) await store.record(h.id, entry(seq));
      const summary = summarize([entry(0), entry(1), entry(2)], new Date('2025-06-01T00:01:00Z'));
      await store.finish(h.id, summary);
      expect(await store.get(h.id)).toEqual({ header: h, entries: [entry(0), entry(1), entry(2)], summary });
    });

    it('keeps what an interrupted run recorded, without a summary', async () => {
      const store = make();
      const h = header('20250601-000000-bbbb', '2025-06-01T00:00:00.000Z');
      await store.begin(h);
      await store.record(h.id, entry(0));
      const record = await store.get(h.id);
      expect(record?.entries).toEqual([entry(0)]);
      expect(record && 'summary' in record).toBe(false);
    });

    it('knows nothing of a change never begun, and of ids that could climb out of it', async () => {
      const store = make();
      expect(await store.list()).toEqual([]);
      expect(await store.get('20990101-000000-ffff')).toBeUndefined();
      expect(await store.get('../etc')).toBeUndefined();
      await expect(store.record('../etc', entry(0))).rejects.toThrow('not a change id: ../etc');
    });

    it('never begins the same change twice, and keeps the first header', async () => {
      const store = make();
      const h = header('20250601-000000-cccc', '2025-06-01T00:00:00.000Z');
      await store.begin(h);
      await expect(store.begin({ ...h, kind: 'rollback' })).rejects.toThrow();
      expect((await store.get(h.id))?.header.kind).toBe('apply');
    });

    it('lists oldest first by when each change began, over many changes', async () => {
      const store = make();
      // Written newest first, and ids that sort differently from the times.
      const times = Array.from(
        { length: 12 },
        (_, i) => `2025-06-${String(12 - i).padStart(2, '0')}T00:00:00.000Z`,
      );
      for (const [i, at] of times.entries()) {
        const id = `z${String(i).padStart(2, '0')}`;
        await store.begin(header(id, at));
        await store.record(id, entry(0));
        await store.record(id, entry(1));
        await store.finish(id, summarize([entry(0), entry(1)], new Date(at)));
      }
      const listed = await store.list();
      expect(listed.map((r) => r.header.createdAt)).toEqual([...times].reverse());
      expect(listed.every((r) => r.entries.length === 2 && r.summary?.status === 'done')).toBe(true);
    });

    it('two runs recording at the same time both keep every entry', async () => {
      const store = make();
      const now = () => new Date('2025-06-01T00:00:00Z');
      const [a, b] = await Promise.all([
        ChangeRun.start(store, header('20250601-000000-dddd', '2025-06-01T00:00:00.000Z'), now),
        ChangeRun.start(
          store,
          header('20250601-000000-eeee', '2025-06-01T00:00:00.000Z', { kind: 'expire' }),
          now,
        ),
      ]);
      const targets = Array.from({ length: 15 }, (_, i) => entry(i).target);
      await Promise.all(
        targets.flatMap((target) => [
          a.add({ target, status: 'applied', suggestionIds: ['ip-1'] }),
          b.add({ target, status: 'unchanged', suggestionIds: [] }),
        ]),
      );
      const [ra, rb] = await Promise.all([a.finish(), b.finish()]);
      expect(ra.storeProblems).toEqual([]);
      expect(rb.storeProblems).toEqual([]);
      const listed = await store.list();
      expect(listed.map((r) => [r.header.id, r.entries.length, r.summary?.counts])).toEqual([
        ['20250601-000000-dddd', 15, { applied: 15, unchanged: 0, refused: 0, failed: 0 }],
        ['20250601-000000-eeee', 15, { applied: 0, unchanged: 15, refused: 0, failed: 0 }],
      ]);
      expect(listed[0]?.entries.map((e) => e.seq)).toEqual(targets.map((_, i) => i));
    });

    it('keeps decisions beside the changes: each its own record, oldest first, never overwritten', async () => {
      const store = make();
      const decline: Decision = {
        version: 1,
        id: 'dec-20250602-090000-aaaa',
        kind: 'decline',
        suggestionId: 'ov-1',
        at: '2025-06-02T09:00:00.000Z',
        by: { user: 'alice', host: 'ops' },
        reason: 'uploads go through SFTP',
        until: '2025-07-02T09:00:00.000Z',
        evidence: { measure: 'blocked-requests-per-day', perDay: 40, count: 40, windowHours: 24 },
        suggestion: override('ov-1', ['site-a']),
      };
      const undo: Decision = {
        version: 1,
        id: 'dec-20250601-080000-bbbb',
        kind: 'undo',
        suggestionId: 'ov-0',
        at: '2025-06-01T08:00:00.000Z',
        by: { user: 'bob' },
        undoes: 'dec-20250501-000000-cccc',
        reason: null,
      };
      expect(await store.listDecisions()).toEqual([]);
      await store.addDecision(decline);
      await store.addDecision(undo);
      await expect(store.addDecision({ ...decline, reason: 'changed my mind' })).rejects.toThrow();
      expect(await store.listDecisions()).toEqual([undo, decline]);
      expect(store.decisionsLocation.startsWith(store.location)).toBe(true);
      // Decisions are not changes.
      await store.begin(header('20250601-000000-dec0', '2025-06-01T00:00:00.000Z'));
      expect((await store.list()).map((r) => r.header.id)).toEqual(['20250601-000000-dec0']);
    });

    it('finds a change by a unique id prefix, like `waftune changes <prefix>`', async () => {
      const store = make();
      await store.begin(header('20250601-120000-1a2b', '2025-06-01T12:00:00.000Z'));
      await store.begin(header('20250601-120000-1a3c', '2025-06-01T12:00:00.000Z'));
      expect((await resolveChangeId(store, '20250601-120000-1a2')).header.id).toBe('20250601-120000-1a2b');
      await expect(resolveChangeId(store, '20250601-120000-1a')).rejects.toThrow('is ambiguous');
      await expect(resolveChangeId(store, 'nope')).rejects.toThrow(`no change nope in ${store.location}`);
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'waftune-audit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
behavesAsAnAuditStore('file audit store', () => new FileAuditStore(join(dir, `s${n++}`)));

describe('file audit store on disk', () => {
  it('names the damaged file', async () => {
    const store = new FileAuditStore(join(dir, 'damaged'));
    await store.begin(header('20250601-000000-0000', '2025-06-01T00:00:00.000Z'));
    writeFileSync(join(store.location, '20250601-000000-0000', 'entry-00000.json'), '{"seq":"x"}');
    await expect(store.list()).rejects.toThrow(
      `change record ${join(store.location, '20250601-000000-0000', 'entry-00000.json')} is damaged`,
    );
  });
});

describe('S3 audit store on s3rver', () => {
  const BUCKET = 'waftune-audit';
  let s3: LocalS3;
  beforeAll(async () => {
    s3 = await startLocalS3([BUCKET]);
  });
  afterAll(async () => {
    await s3?.close();
  });

  // A page size of 7 makes every list() above cross several ListObjectsV2 pages.
  behavesAsAnAuditStore(
    'S3 audit store',
    () => new S3AuditStore(s3.client, BUCKET, `run-${n++}/changes`, { pageSize: 7 }),
  );

  it('says where it keeps the history, and leaves other objects under the prefix alone', async () => {
    const store = new S3AuditStore(s3.client, BUCKET, 'team/changes/');
    expect(store.location).toBe(`s3://${BUCKET}/team/changes/`);
    await s3.put(BUCKET, 'team/changes/README.txt', 'not a change');
    await s3.put(BUCKET, 'team/changes/20250601-000000-9999/notes.txt', 'not a part');
    await store.begin(header('20250601-000000-9999', '2025-06-01T00:00:00.000Z'));
    expect((await store.list()).map((r) => r.header.id)).toEqual(['20250601-000000-9999']);
  });

  it('names the damaged object', async () => {
    const store = new S3AuditStore(s3.client, BUCKET, 'damaged/');
    await store.begin(header('20250601-000000-0000', '2025-06-01T00:00:00.000Z'));
    await s3.put(BUCKET, 'damaged/20250601-000000-0000/entry-00000.json', '{"seq":"x"}');
    await expect(store.get('20250601-000000-0000')).rejects.toThrow(
      `change record s3://${BUCKET}/damaged/20250601-000000-0000/entry-00000.json is damaged`,
    );
  });
});
