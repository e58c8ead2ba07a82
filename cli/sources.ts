import { rmSync } from 'node:fs';
import { cloudWatchLogsSource, isCwlUrl } from '../adapters/cwl-source.js';
import { downloadS3Prefix } from '../adapters/s3-source.js';
import { parseDuration } from '../src/analyze/window.js';
import type { RecordSource } from '../src/ingest/record-source.js';

/**
 * A log group is read over a window ending now; with no `--since`, the last day: the whole
 * retention of a busy group is far more than a default should fetch at 5 calls a second.
 */
export const CWL_DEFAULT_WINDOW = '24h';

export interface ResolvedSources {
  /** Files and folders, local or downloaded. */
  paths: string[];
  /** Sources read record by record (cwl://). */
  streams: RecordSource[];
  /**
   * Removes the folders downloaded from S3. Call it once the load is done: a long-running `watch`
   * downloads again at every check. Process exit removes what is left, as a last resort.
   */
  close: () => void;
}

/**
 * Turns the `<source>` arguments into what the local chain reads: files and folders pass through;
 * `s3://` sources are downloaded first (DuckDB cannot read s3:// here) into a temporary folder that
 * keeps the key layout and is removed by `close`; `cwl://<log-group>` becomes a
 * record source over the window (`sinceMs` back from now).
 */
export async function resolveSources(
  sources: readonly string[],
  options: {
    sinceMs?: number;
    onDownload?: (source: string, objects: number, bytes: number) => void;
    now?: number;
  },
): Promise<ResolvedSources> {
  const downloaded: string[] = [];
  const removeDownloads = () => {
    for (const dir of downloaded.splice(0)) rmSync(dir, { recursive: true, force: true });
  };
  const out: ResolvedSources = {
    paths: [],
    streams: [],
    close: () => {
      removeDownloads();
      process.off('exit', removeDownloads);
    },
  };
  for (const s of sources) {
    if (isCwlUrl(s)) {
      const endTime = options.now ?? Date.now();
      const sinceMs = options.sinceMs ?? parseDuration(CWL_DEFAULT_WINDOW);
      out.streams.push(cloudWatchLogsSource(s, { startTime: Math.max(0, endTime - sinceMs), endTime }));
      continue;
    }
    if (!s.startsWith('s3://')) {
      out.paths.push(s);
      continue;
    }
    let got: Awaited<ReturnType<typeof downloadS3Prefix>>;
    try {
      got = await downloadS3Prefix(
        s,
        options.sinceMs === undefined ? {} : { sinceLatestMs: options.sinceMs },
      );
    } catch (error) {
      out.close();
      throw error;
    }
    if (downloaded.length === 0) process.once('exit', removeDownloads);
    downloaded.push(got.dir);
    options.onDownload?.(s, got.objects, got.bytes);
    out.paths.push(got.dir);
  }
  return out;
}
