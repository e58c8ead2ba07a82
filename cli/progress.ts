import cliProgress from 'cli-progress';

/** A progress bar on stderr for long runs, only on a terminal (never in pipes, CI or --json captures). */
export function byteProgress(enabled: boolean) {
  if (!enabled)
    return { start: (_total: number) => {}, update: (_bytes: number, _events: number) => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: 'reading logs [{bar}] {percentage}% | {events} events | {eta_formatted} left',
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    start: (total: number) => {
      // Small inputs finish before a bar would help; it only flickers.
      if (total < 32 << 20) return;
      bar.start(total, 0, { events: 0 });
      started = true;
    },
    update: (bytes: number, events: number) => {
      if (started) bar.update(bytes, { events: events.toLocaleString('en-US') });
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}
