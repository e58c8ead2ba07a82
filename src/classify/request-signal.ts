import { type Condition, compileTs } from './condition.js';
import type { RequestSignal } from './signal.js';

/** A request signal from its definition: the TypeScript predicate is compiled from `when`. */
export function requestSignal(s: {
  id: string;
  weight: number;
  reason: string;
  when: Condition;
}): RequestSignal {
  return { ...s, stage: 'request', applies: compileTs(s.when) };
}
