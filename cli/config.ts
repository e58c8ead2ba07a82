import { readFileSync } from 'node:fs';
import { type Config, configSchema, DEFAULT_CONFIG } from '../schemas/config.js';

/** Reads and validates a configuration file; errors name the file and each offending key. */
export function loadConfig(file: string | undefined): Config {
  if (!file) return DEFAULT_CONFIG;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`config ${file}: ${(error as Error).message}`);
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(top level)'}: ${i.message}`);
    throw new Error(`config ${file} is not valid:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
