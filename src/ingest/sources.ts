import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface SourceFile {
  path: string;
  bytes: number;
}

/** Expands files and folders (recursively, in name order, hidden entries skipped) into log files. */
export async function listSourceFiles(paths: readonly string[]): Promise<SourceFile[]> {
  const out: SourceFile[] = [];
  for (const p of paths) await collect(p, out, true);
  return out;
}

async function collect(path: string, out: SourceFile[], explicit: boolean): Promise<void> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch {
    if (explicit) throw new Error(`no such file or folder: ${path}`);
    return;
  }
  if (info.isDirectory()) {
    const entries = (await readdir(path)).filter((e) => !e.startsWith('.')).sort();
    for (const e of entries) await collect(join(path, e), out, false);
  } else if (info.isFile()) {
    out.push({ path, bytes: info.size });
  }
}
