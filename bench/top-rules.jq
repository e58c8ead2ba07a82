# The report's top-rules table by hand: which rule (group, rule, action) blocked, counted or
# challenged each request, as waftune decides it (src/ingest/rule-match.ts), one line per request.
# zcat -f FILES | jq -r -f bench/top-rules.jq | sort | uniq -c | sort -rn | head -15
def upper: ascii_upcase;
(if .terminatingRuleId != "Default_Action" and .terminatingRuleId != "" then
   ([.ruleGroupList[]? | select(.terminatingRule)] | first) as $g
   | if $g then [$g.ruleGroupId, $g.terminatingRule.ruleId, (.action | upper)]
     else [null, .terminatingRuleId, (.action | upper)] end
 else
   ([.ruleGroupList[]? as $g | $g.nonTerminatingMatchingRules[]?
     | select((.action | upper) == "COUNT") | [$g.ruleGroupId, .ruleId, "COUNT"]] | first)
   // ([.nonTerminatingMatchingRules[]? | select((.action | upper) == "COUNT") | [null, .ruleId, "COUNT"]] | first)
 end)
| select(. != null and (.[2] | IN("BLOCK", "COUNT", "CAPTCHA", "CHALLENGE")))
| map(. // "-") | @tsv
