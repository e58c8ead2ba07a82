import type { Config } from '../../schemas/config.js';
import type { Report } from '../../schemas/report.js';
import type { Suggestion } from '../../schemas/suggestion.js';
import type { Analysis } from '../analyze/run-analysis.js';
import { type SparedSource, suggestIpBlocks } from './ip-blocks.js';
import { ipBlockMatcher } from './ip-match.js';
import { suggestOverrides } from './overrides.js';
import { attackSourceSet } from './replay.js';

export interface SuggestResult {
  suggestions: Suggestion[];
  notSuggested: Report['notSuggested'];
  spared: SparedSource[];
}

/** IP blocks first: an override's replay counts the attack traffic those blocks still stop. */
export function suggest(analysis: Pick<Analysis, 'groups' | 'ips'>, config: Config): SuggestResult {
  const { blocks, spared } = suggestIpBlocks(analysis.groups, analysis.ips, config);
  const { overrides, notSuggested } = suggestOverrides(analysis.groups, analysis.ips, {
    attackSources: attackSourceSet(analysis.groups, analysis.ips),
    ipBlocks: ipBlockMatcher(blocks),
    config,
  });
  return { suggestions: [...overrides, ...blocks], notSuggested, spared };
}
