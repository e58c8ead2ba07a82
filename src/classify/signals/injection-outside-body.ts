import { all, any, not } from '../condition.js';
import { pattern } from '../pattern.js';
import { requestSignal } from '../request-signal.js';

const INJECTION_RULE = pattern(
  '^(sqli|sqliextendedpatterns|crosssitescripting|genericlfi|genericrfi|ec2metadatassrf|restrictedextensions)_(queryarguments|querystring|uripath|cookie|header)',
);
const ATTACK_GROUP = pattern('(KnownBadInputsRuleSet|WordPressRuleSet|PHPRuleSet|LinuxRuleSet|UnixRuleSet)');

export const injectionOutsideBody = requestSignal({
  id: 'injection-outside-body',
  weight: 2,
  reason: 'an injection or exploit rule fired on the URL or headers, where WordPress users send no code',
  when: all(
    not({ isNull: 'rule_id' }),
    not({ field: 'rule_id', view: 'lower', matches: pattern('_body$') }),
    any(
      { field: 'rule_id', view: 'lower', matches: INJECTION_RULE },
      { field: 'rule_group', matches: ATTACK_GROUP },
    ),
  ),
});
