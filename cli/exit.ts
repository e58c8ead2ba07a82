/**
 * Exit codes (DESIGN §7, README "Exit codes"):
 *   0    done
 *   1    failed: nothing (or not all that was asked) could be done, e.g. no credentials, no network,
 *        every web ACL failed, a file could not be read
 *   2    partial: done, but some input was rejected or some web ACL was refused or failed
 *   64   usage error (EX_USAGE from sysexits.h): an unknown command or option, a bad option value
 *        or a --config file that is not valid; nothing was done
 *   130  stopped by SIGINT (Ctrl-C), 143 stopped by SIGTERM (128 + the signal's number)
 */
export const EXIT = { ok: 0, failed: 1, partial: 2, usage: 64, sigint: 130, sigterm: 143 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A mistake in the command line or the configuration it names: told apart from a failure (exit 64). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
