import type { RequestSignal } from '../signal.js';

const INJECTION_RULE =
  /^(SQLi|SQLiExtendedPatterns|CrossSiteScripting|GenericLFI|GenericRFI|EC2MetaDataSSRF|RestrictedExtensions)_(QUERYARGUMENTS|QUERYSTRING|URIPATH|COOKIE|HEADER)/i;
const ATTACK_GROUP = /(KnownBadInputsRuleSet|WordPressRuleSet|PHPRuleSet|LinuxRuleSet|UnixRuleSet)/;

export const injectionOutsideBody: RequestSignal = {
  id: 'injection-outside-body',
  stage: 'request',
  weight: 2,
  reason: 'an injection or exploit rule fired on the URL or headers, where WordPress users send no code',
  applies: (e) =>
    e.rule_id !== null &&
    !/_BODY$/i.test(e.rule_id) &&
    (INJECTION_RULE.test(e.rule_id) || (e.rule_group !== null && ATTACK_GROUP.test(e.rule_group))),
};
