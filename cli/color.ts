/**
 * Whether to colour output, by the conventions people set once in their shell or CI:
 * `--no-color` always wins; then FORCE_COLOR (`0` or `false` turns colour off, any other value
 * forces it on, as Node.js itself reads it, so it also beats NO_COLOR); then NO_COLOR
 * (https://no-color.org: any non-empty value); then `TERM=dumb`; else colour on a terminal only.
 */

let disabledByFlag = false;

/** `--no-color` was given. */
export function disableColor(): void {
  disabledByFlag = true;
}

export function colorEnabled(
  stream: { isTTY?: boolean },
  env: Record<string, string | undefined> = process.env,
): boolean {
  if (disabledByFlag) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return Boolean(stream.isTTY);
}
