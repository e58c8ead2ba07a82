import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * Where the digest and the alerts keep what they must remember between runs (alert dedup and
 * threads, the last digest's time, undelivered messages, HTML reports). An S3 object per key in
 * the Lambdas (adapters/s3-state-store.ts), a file under `--state-dir` locally.
 */
export interface StateStore {
  /** The stored text, or null when the key has never been written. */
  get(key: string): Promise<string | null>;
  put(key: string, body: string, contentType?: string): Promise<void>;
  /** Where a key lives, for messages (`s3://bucket/key` or a path). */
  locate(key: string): string;
}

/** Keys are relative paths of plain segments: nothing can climb out of the store's root. */
export function checkKey(key: string): string {
  if (
    !/^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/.test(key) ||
    key.split('/').includes('..')
  ) {
    throw new Error(`bad state key "${key}"`);
  }
  return key;
}

export class FileStateStore implements StateStore {
  constructor(private readonly root: string) {}

  locate(key: string): string {
    return join(this.root, checkKey(key));
  }

  async get(key: string): Promise<string | null> {
    try {
      return await readFile(this.locate(key), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  /** Written to a temporary file and renamed, so a crash never leaves half a state file. */
  async put(key: string, body: string): Promise<void> {
    const path = this.locate(key);
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(tmp, body, 'utf8');
    await rename(tmp, path);
  }
}

/** In memory, for tests and dry runs. */
export class MemoryStateStore implements StateStore {
  readonly items = new Map<string, string>();
  locate(key: string): string {
    return `memory:${checkKey(key)}`;
  }
  async get(key: string): Promise<string | null> {
    return this.items.get(checkKey(key)) ?? null;
  }
  async put(key: string, body: string): Promise<void> {
    this.items.set(checkKey(key), body);
  }
}
