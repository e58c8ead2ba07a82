import type { Command } from 'commander';
import { register as registerAnalyze } from './analyze.js';
import { register as registerApply } from './apply.js';
import { register as registerCdnRanges } from './cdn-ranges.js';
import { register as registerChanges } from './changes.js';
import { register as registerConnect } from './connect.js';
import { register as registerDecisions } from './decisions.js';
import { register as registerDecline } from './decline.js';
import { register as registerDigest } from './digest.js';
import { register as registerExpire } from './expire.js';
import { register as registerPlan } from './plan.js';
import { register as registerRollback } from './rollback.js';
import { register as registerSuggest } from './suggest.js';
import { register as registerWatch } from './watch.js';

/**
 * Every `waftune` command registers itself here; each lives in its own file in this folder and
 * exports `register(program)`.
 */
export function registerCommands(program: Command): void {
  registerAnalyze(program);
  registerSuggest(program);
  registerPlan(program);
  registerApply(program);
  registerRollback(program);
  registerChanges(program);
  registerExpire(program);
  registerDecline(program);
  registerDecisions(program);
  registerConnect(program);
  registerDigest(program);
  registerWatch(program);
  registerCdnRanges(program);
}
