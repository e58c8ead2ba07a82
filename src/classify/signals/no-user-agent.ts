import { any } from '../condition.js';
import { pattern } from '../pattern.js';
import { requestSignal } from '../request-signal.js';

export const noUserAgent = requestSignal({
  id: 'no-user-agent',
  weight: 1,
  reason: 'sent no User-Agent header',
  when: any({ isNull: 'user_agent' }, { field: 'user_agent', matches: pattern(String.raw`^\s*$`) }),
});
