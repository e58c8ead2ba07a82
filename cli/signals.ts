import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from './exit.js';

/**
 * SIGINT and SIGTERM end every command cleanly. The CLI runs in one process (no wrapper, no child
 * process), its parsing workers are threads of it, and every temporary file of a run (DuckDB's
 * database or temporary files, spill files, downloaded S3 objects) lives under one run folder that
 * is removed on the way out, whatever the way out is.
 *
 * A command that is in the middle of something it should finish (apply writing a web ACL, watch
 * sending alerts) asks for a graceful stop: the first signal then only sets `stopSignal`, and the
 * command ends at its next safe point; a second signal ends the process at once.
 */

const cleanups = new Set<() => void>();
const stop = new AbortController();
let graceful = false;
let received = 0;

export const stopSignal: AbortSignal = stop.signal;

/** Runs `fn` (synchronous) when the process ends, normally or by a signal. */
export function atExit(fn: () => void): () => void {
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

function runCleanups(): void {
  for (const fn of [...cleanups]) {
    cleanups.delete(fn);
    try {
      fn();
    } catch {
      // The process is ending; one failed cleanup must not keep the others from running.
    }
  }
}

/** The calling command stops at its own safe points on the first signal (see stopSignal). */
export function stopGracefully(): AbortSignal {
  graceful = true;
  return stop.signal;
}

export function exitCodeFor(signal: NodeJS.Signals): number {
  return signal === 'SIGINT' ? EXIT.sigint : EXIT.sigterm;
}

export function installSignalHandlers(write: (text: string) => void = (t) => process.stderr.write(t)): void {
  process.on('exit', runCleanups);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      received++;
      const code = exitCodeFor(signal);
      if (graceful && received === 1) {
        process.exitCode = code;
        write(`\nwaftune: ${signal}: stopping after the current step (send it again to stop at once)\n`);
        stop.abort(signal);
        return;
      }
      runCleanups();
      process.exit(code);
    });
  }
}

/**
 * A folder for this run's temporary files, removed at exit. TMPDIR points into it, so everything
 * that asks `os.tmpdir()` (DuckDB's work folder, spill files, S3 downloads, worker threads
 * started later) writes there.
 */
export function useRunTempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'waftune-run-'));
  process.env.TMPDIR = dir;
  // Worker threads and DuckDB's own threads may still write into it while the main thread removes
  // it on a signal: a file created behind rmSync's back fails the last rmdir (ENOTEMPTY), which
  // rmSync retries.
  atExit(() => rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 }));
  return dir;
}
