/** Signals that are evidence of attack by themselves, as opposed to context (no user agent, a reputation list). */
export const STRONG_ATTACK_SIGNALS: ReadonlySet<string> = new Set([
  'attack-payload',
  'probe-path',
  'scanner-user-agent',
  'injection-outside-body',
  'admin-write-without-session',
  'forged-session',
]);

/** Evidence enough for a block on its own, whatever the count: a forged login cookie carrying an injection. */
export const DEFINITIVE_ATTACK_SIGNALS: ReadonlySet<string> = new Set(['forged-session']);
