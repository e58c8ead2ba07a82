import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3StateStore } from '../../adapters/s3-state-store.js';
import { emptyAlertState } from '../../schemas/alert.js';
import { loadAlertState, STATE_KEYS, saveAlertState } from '../../src/notify/state.js';
import { FileStateStore, type StateStore } from '../../src/notify/state-store.js';
import { type LocalS3, startLocalS3 } from '../cloud/local-s3.js';

const now = new Date('2025-05-02T08:00:00.000Z');

function behavesAsAStore(name: string, make: () => StateStore) {
  describe(name, () => {
    it('returns null for a key never written, and what was written after', async () => {
      const store = make();
      expect(await store.get('alerts/none.json')).toBeNull();
      await store.put('alerts/a.json', '{"x":1}');
      await store.put('alerts/a.json', '{"x":2}');
      expect(await store.get('alerts/a.json')).toBe('{"x":2}');
    });

    it('keeps the alert state across runs', async () => {
      const store = make();
      const state = { ...emptyAlertState(now), alerts: [] };
      await saveAlertState(store, state);
      expect((await loadAlertState(store, now)).value).toEqual(state);
    });

    it('starts afresh, with a warning, from a state that does not parse', async () => {
      const store = make();
      await store.put(STATE_KEYS.alerts, '{"version":99}');
      const loaded = await loadAlertState(store, now);
      expect(loaded.value.alerts).toEqual([]);
      expect(loaded.warning).toMatch(
        /alerts\/state\.json is not in the expected shape; starting from an empty state$/,
      );
    });

    it('refuses keys that could climb out of the store', async () => {
      const store = make();
      await expect(store.put('../escape.json', 'x')).rejects.toThrow('bad state key');
      await expect(store.get('/etc/passwd')).rejects.toThrow('bad state key');
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'waftune-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
behavesAsAStore('file state store', () => new FileStateStore(join(dir, String(Math.random()).slice(2))));

describe('file state store on disk', () => {
  it('writes plain JSON files under the state directory, replacing them whole', async () => {
    const root = join(dir, 'plain');
    const store = new FileStateStore(root);
    await saveAlertState(store, emptyAlertState(now));
    expect(JSON.parse(readFileSync(join(root, 'alerts', 'state.json'), 'utf8'))).toMatchObject({
      version: 1,
      alerts: [],
    });
    writeFileSync(join(root, 'alerts', 'state.json'), 'not json');
    expect((await loadAlertState(store, now)).warning).toContain('is not JSON');
  });
});

describe('S3 state store on s3rver', () => {
  let s3: LocalS3;
  beforeAll(async () => {
    s3 = await startLocalS3(['waftune-state']);
  });
  afterAll(async () => {
    await s3?.close();
  });
  behavesAsAStore(
    'S3 state store',
    () => new S3StateStore(s3.client, 'waftune-state', `run-${String(Math.random()).slice(2)}`),
  );

  it('names the object it uses', () => {
    expect(new S3StateStore(s3.client, 'b', 'state').locate('alerts/state.json')).toBe(
      's3://b/state/alerts/state.json',
    );
  });
});
