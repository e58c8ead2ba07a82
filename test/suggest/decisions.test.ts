import { describe, expect, it } from 'vitest';
import type { Decision, Decline } from '../../schemas/decision.js';
import { decisionSchema } from '../../schemas/decision.js';
import type { Suggestion } from '../../schemas/suggestion.js';
import {
  applyDecisions,
  currentDecisions,
  evidenceOf,
  REPROPOSE_FACTOR,
} from '../../src/suggest/decisions.js';
import { ipBlock, override } from '../waf/suggestions.js';

/** The decisions step on its own: held, proposed again past the factor, expired, undone. */

const DAY = { from: '2026-11-20T00:00:00.000Z', to: '2026-11-21T00:00:00.000Z' };
const SIX_HOURS = { from: '2026-11-21T00:00:00.000Z', to: '2026-11-21T06:00:00.000Z' };
const NOW = new Date('2026-11-21T12:00:00.000Z');

function withBlocked(s: Suggestion, blocked: number): Suggestion {
  if (s.kind !== 'rule-override') throw new Error('override only');
  return { ...s, evidence: { ...s.evidence, blockedRequests: blocked } };
}

function decline(s: Suggestion, window: typeof DAY, extra: Partial<Decline> = {}): Decline {
  return decisionSchema.parse({
    version: 1,
    id: `dec-20261120-100000-${s.id.slice(-4)}`,
    kind: 'decline',
    suggestionId: s.id,
    at: '2026-11-20T10:00:00.000Z',
    by: { user: 'alice', host: 'ops-laptop' },
    reason: 'editors upload through SFTP',
    until: '2026-12-20T10:00:00.000Z',
    evidence: evidenceOf(s, window),
    suggestion: s,
    ...extra,
  }) as Decline;
}

describe('decisions on suggestions', () => {
  const ov = withBlocked(override('ovr-0000000001', ['arn:a']), 40);

  it('holds a declined suggestion while the decision holds, and says who declined it and why', () => {
    const out = applyDecisions(
      [ov, ipBlock('ipb-0000000002', ['198.51.100.7'])],
      DAY,
      [decline(ov, DAY)],
      NOW,
    );
    expect(out.proposed.map((s) => s.id)).toEqual(['ipb-0000000002']);
    expect(out.held).toHaveLength(1);
    expect(out.held[0]?.decision).toMatchObject({
      by: 'alice@ops-laptop',
      until: '2026-12-20T10:00:00.000Z',
      evidence: { measure: 'blocked-requests-per-day', atDecline: 40, now: 40, ratio: 1 },
    });
    expect(out.held[0]?.decision.note).toBe(
      'declined on 2026-11-20 by alice@ops-laptop (editors upload through SFTP), held until 2026-12-20; evidence since x1 (proposed again at x3)',
    );
  });

  it(`proposes it again once its requests per day reach x${REPROPOSE_FACTOR}, with the note first among its reasons`, () => {
    const justBelow = applyDecisions([withBlocked(ov, 119)], DAY, [decline(ov, DAY)], NOW);
    expect(justBelow.held).toHaveLength(1);
    const grown = applyDecisions([withBlocked(ov, 120)], DAY, [decline(ov, DAY)], NOW);
    expect(grown.held).toEqual([]);
    expect(grown.reproposed).toMatchObject([{ suggestionId: ov.id, why: 'evidence' }]);
    expect(grown.proposed[0]?.reasons[0]).toBe(
      'declined on 2026-11-20 by alice@ops-laptop (editors upload through SFTP), evidence since x3: proposed again',
    );
    expect(grown.proposed[0]?.reasons.slice(1)).toEqual(ov.reasons);
  });

  it('compares per day, so a shorter window with the same rate does not re-propose and a longer one does not either', () => {
    // Declined on a 6-hour watch window with 10 blocks (40 a day); a day's digest with 40 is the same rate.
    const d = decline(withBlocked(ov, 10), SIX_HOURS);
    expect(d.evidence).toMatchObject({ perDay: 40, windowHours: 6 });
    expect(applyDecisions([withBlocked(ov, 40)], DAY, [d], NOW).held).toHaveLength(1);
    expect(applyDecisions([withBlocked(ov, 119)], DAY, [d], NOW).held).toHaveLength(1);
    expect(applyDecisions([withBlocked(ov, 121)], DAY, [d], NOW).reproposed).toHaveLength(1);
  });

  it('an ip-block is measured by the requests the address sent', () => {
    const ip = ipBlock('ipb-0000000003', ['198.51.100.9']);
    const d = decline(ip, DAY);
    expect(d.evidence).toMatchObject({ measure: 'requests-per-day', perDay: 500 });
    const busier = { ...ip, evidence: { ...ip.evidence, requests: 1500 } } as Suggestion;
    expect(applyDecisions([busier], DAY, [d], NOW).reproposed[0]?.decision.note).toContain(
      'evidence since x3',
    );
  });

  it('comes back when the decision runs out (noted for a while), and at once when it is undone', () => {
    const expired = decline(ov, DAY, { until: '2026-11-21T00:00:00.000Z' });
    const out = applyDecisions([ov], DAY, [expired], NOW);
    expect(out.reproposed).toMatchObject([{ why: 'expired' }]);
    expect(out.proposed[0]?.reasons[0]).toContain('until 2026-11-21; the decision ran out: proposed again');
    const later = applyDecisions([ov], DAY, [expired], new Date('2027-02-01T00:00:00Z'));
    expect(later.reproposed).toEqual([]);
    expect(later.proposed[0]?.reasons).toEqual(ov.reasons);

    const d = decline(ov, DAY);
    const undo: Decision = {
      version: 1,
      id: 'dec-20261121-080000-aaaa',
      kind: 'undo',
      suggestionId: ov.id,
      at: '2026-11-21T08:00:00.000Z',
      by: { user: 'bob' },
      undoes: d.id,
      reason: null,
    };
    expect(currentDecisions([d, undo], NOW).size).toBe(0);
    expect(applyDecisions([ov], DAY, [undo, d], NOW).proposed[0]?.reasons).toEqual(ov.reasons);
    // A later decline wins over an earlier one, and an undo of the earlier one changes nothing.
    const again = decline(ov, DAY, {
      id: 'dec-20261121-090000-bbbb',
      at: '2026-11-21T09:00:00.000Z',
      by: { user: 'carol' },
    });
    expect(currentDecisions([d, undo, again], NOW).get(ov.id)?.decline.by.user).toBe('carol');
  });

  it('a suggestion declined without its evidence (not in the saved set) stays held whatever it grows to', () => {
    const blind = decline(ov, DAY, { evidence: null, suggestion: null });
    const out = applyDecisions([withBlocked(ov, 10_000)], DAY, [blind], NOW);
    expect(out.held).toHaveLength(1);
    expect(out.held[0]?.decision.evidence.ratio).toBeNull();
  });
});
