/** Signals that are evidence of attack by themselves, as opposed to context (no user agent, a reputation list). */
export const STRONG_ATTACK_SIGNALS: ReadonlySet<string> = new Set([
  'attack-payload',
  'probe-path',
  'scanner-user-agent',
  'injection-outside-body',
  'admin-write-without-session',
  'forged-session',
  'one-shot-session',
]);

/**
 * Evidence enough for a block on its own, whatever the count: a login cookie that no session
 * stands behind (carrying an injection, or sent alone by a source with no other history).
 */
export const DEFINITIVE_ATTACK_SIGNALS: ReadonlySet<string> = new Set(['forged-session', 'one-shot-session']);
