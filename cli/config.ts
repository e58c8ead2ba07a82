import { readFileSync } from 'node:fs';
import { type Config, configSchema, DEFAULT_CONFIG } from '../schemas/config.js';
import { UsageError } from './exit.js';

/** `allowlist[1]`, `override.minClientIps`: the key as a person finds it in the file. */
function keyPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
    .join('');
}

/**
 * Reads and validates a configuration file; errors name the file and each offending key, and are
 * usage errors (exit 64): nothing is done with a configuration that is not what was meant.
 */
export function loadConfig(file: string | undefined): Config {
  if (!file) return DEFAULT_CONFIG;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`config ${file}: ${(error as Error).message}`);
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${keyPath(i.path)}: ${i.message}`);
    throw new UsageError(`config ${file} is not valid:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
