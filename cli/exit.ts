/** Exit codes (DESIGN §7): 0 done, 1 failed, 2 done but some input was rejected or some web ACL failed. */
export const EXIT = { ok: 0, failed: 1, partial: 2 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
