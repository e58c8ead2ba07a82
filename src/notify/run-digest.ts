import type { OutboxItem } from '../../schemas/alert.js';
import type { DigestData } from '../../schemas/digest.js';
import type { SlackMessage } from './block-kit.js';
import type { Delivery } from './deliver.js';
import { digestBlocks } from './digest-blocks.js';
import { formatDay } from './format.js';
import { htmlReport } from './html-report.js';
import { loadOutbox, saveDigestState, saveOutbox } from './state.js';
import type { StateStore } from './state-store.js';

/**
 * One digest run: write the HTML report, keep the digest's data, send the Slack message, and keep
 * anything that could not be sent in the outbox for the next run. Nothing here throws on a
 * delivery failure: the result says what went out and what is pending.
 */

/** Where the HTML report goes: a local file, or S3 with a link. */
export interface ReportSink {
  save(fileName: string, html: string): Promise<{ location: string; url: string | null }>;
}

export interface DigestRunOptions {
  data: DigestData;
  store: StateStore;
  report: ReportSink | null;
  delivery: Delivery | null;
  now: Date;
  /** Undelivered messages kept at most this long. */
  outboxMaxAgeDays?: number;
}

export interface DigestRunResult {
  day: string;
  message: SlackMessage;
  report: { location: string; url: string | null } | null;
  delivered: boolean;
  attempts: number;
  /** Earlier undelivered digests sent now. */
  resent: number;
  /** Messages still waiting in the outbox after this run. */
  pending: number;
  errors: string[];
  warnings: string[];
}

export async function runDigest(options: DigestRunOptions): Promise<DigestRunResult> {
  const { store, delivery, now } = options;
  const day = formatDay(options.data.window.to, options.data.timeZone);
  const errors: string[] = [];
  const warnings: string[] = [];

  let report: DigestRunResult['report'] = null;
  if (options.report) {
    try {
      report = await options.report.save(`waftune-digest-${day}.html`, htmlReport(options.data));
    } catch (error) {
      errors.push(`HTML report not saved: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const data: DigestData = { ...options.data, reportUrl: report?.url ?? options.data.reportUrl };
  await store.put(`digests/${day}.json`, `${JSON.stringify(data, null, 2)}\n`);
  const message = digestBlocks(data);

  const outboxLoaded = await loadOutbox(store);
  if (outboxLoaded.warning) warnings.push(outboxLoaded.warning);
  const maxAge = (options.outboxMaxAgeDays ?? 7) * 86_400_000;
  // A pending copy of this same day is superseded by the digest built now.
  let items = outboxLoaded.value.items.filter((item) => {
    if (item.id === `digest-${day}`) return false;
    const keep = now.getTime() - Date.parse(item.createdAt) <= maxAge;
    if (!keep)
      warnings.push(
        `dropped the undelivered ${item.kind} ${item.id} from ${item.createdAt}: older than the outbox keeps`,
      );
    return keep;
  });

  let resent = 0;
  let delivered = false;
  let attempts = 0;
  if (delivery) {
    const still: OutboxItem[] = [];
    for (const item of items) {
      const r = await delivery.send(item.message as unknown as SlackMessage, item.threadTs ?? undefined);
      if (r.ok) resent++;
      else still.push({ ...item, attempts: item.attempts + r.attempts, lastError: r.error ?? 'failed' });
    }
    items = still;
    const r = await delivery.send(message);
    delivered = r.ok;
    attempts = r.attempts;
    if (!r.ok) {
      errors.push(
        `Slack delivery failed after ${r.attempts} attempts: ${r.error ?? 'unknown error'}; kept for the next run`,
      );
      items.push({
        id: `digest-${day}`,
        kind: 'digest',
        createdAt: now.toISOString(),
        attempts: r.attempts,
        lastError: r.error ?? 'failed',
        message: message as unknown as Record<string, unknown>,
        threadTs: null,
        alertKey: null,
      });
    }
  }
  // A digest re-run for the same day replaces its pending copy instead of queueing twice.
  items = dedupeLast(items);
  await saveOutbox(store, { version: 1, items });

  // The window is covered even when its message waits in the outbox: the next digest starts here.
  await saveDigestState(store, { version: 1, lastDigestAt: data.window.to, lastDelivered: delivered });

  return { day, message, report, delivered, attempts, resent, pending: items.length, errors, warnings };
}

/** Keeps the last item per id. */
function dedupeLast(items: OutboxItem[]): OutboxItem[] {
  const byId = new Map<string, OutboxItem>();
  for (const item of items) {
    byId.delete(item.id);
    byId.set(item.id, item);
  }
  return [...byId.values()];
}
