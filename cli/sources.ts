import { rmSync } from 'node:fs';
import { downloadS3Prefix } from '../adapters/s3-source.js';

/**
 * Turns the `<source>` arguments into local paths: files and folders pass through; `s3://` sources
 * are downloaded first (DuckDB cannot read s3:// here) into a temporary folder that keeps the key
 * layout and is removed when the process exits.
 */
export async function resolveSources(
  sources: readonly string[],
  options: { sinceMs?: number; onDownload?: (source: string, objects: number, bytes: number) => void },
): Promise<string[]> {
  const out: string[] = [];
  for (const s of sources) {
    if (!s.startsWith('s3://')) {
      out.push(s);
      continue;
    }
    const got = await downloadS3Prefix(
      s,
      options.sinceMs === undefined ? {} : { sinceLatestMs: options.sinceMs },
    );
    process.once('exit', () => rmSync(got.dir, { recursive: true, force: true }));
    options.onDownload?.(s, got.objects, got.bytes);
    out.push(got.dir);
  }
  return out;
}
