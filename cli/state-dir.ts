import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Checks before the work starts that the state folder can be written, so a long analysis in a
 * read-only folder fails in its first second, with the way out, instead of at its end.
 */
export function ensureWritableStateDir(dir: string, readOnlyHint: string): void {
  const probe = join(dir, `.write-test-${process.pid}`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      `cannot write the state folder ${dir}${code ? ` (${code})` : ''}: pass --state-dir DIR, or ${readOnlyHint}`,
    );
  }
}
