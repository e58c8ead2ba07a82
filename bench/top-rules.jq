# The report's top-rules table by hand: which rule (group, rule, action) blocked, counted or
# challenged each request, decided as waftune decides it (src/ingest/rule-match.ts) in its main
# lines: the group that terminated is the one its web ACL rule names, else (a rule, not a group,
# when terminatingRuleType says so) the last tripped group no COUNT entry names; with nothing
# terminating, the first rule counted instead of acting (a group in Count mode, an excluded rule,
# an override to Count), else the first that counted.
#   zcat -f FILES | jq -r -f bench/top-rules.jq | sort | uniq -c | sort -rn | head -15
def upper: ascii_upcase;
def is_count: ((.action // "") | upper) == "COUNT" and ((.ruleId // "") | startswith("waftune-evidence-") | not);
def overridden: (.overriddenAction | type) == "string" and .overriddenAction != "" and (.overriddenAction | upper) != "COUNT";
# A web ACL rule name that names a rule group: its name, or <vendor>-<name>, ignoring case.
def names_group($acl; $gid):
  ($acl | ascii_downcase) as $r
  | if ($gid | test("/rulegroup/[^/]+"; "i")) then ($gid | capture("/rulegroup/(?<n>[^/]+)"; "i").n | ascii_downcase) == $r
    else ($gid | rindex("#")) as $h
      | ((if $h == null then $gid else $gid[$h + 1:] end) | ascii_downcase) as $name
      | if $name == "" then false
        elif $r == $name then true
        elif $h == null then false
        else $r == (($gid[:$h] | ascii_downcase) + "-" + $name) end
    end;
(.ruleGroupList // []) as $groups
| ([.nonTerminatingMatchingRules[]? | select(is_count)]) as $top
| ([$groups[] | select(.terminatingRule)]) as $tripped
| if .terminatingRuleId != "" and .terminatingRuleId != "Default_Action" then
    .terminatingRuleId as $acl
    | (if ((.terminatingRuleType // "") | upper | IN("REGULAR", "RATE_BASED")) then null
       else ([$tripped[] | select(names_group($acl; .ruleGroupId))] | first)
         // ([$tripped[] | .ruleGroupId as $g | select([$top[] | select(names_group(.ruleId; $g))] | length == 0)] | last)
       end) as $g
    | if $g then [$g.ruleGroupId, $g.terminatingRule.ruleId, (.action | upper)]
      else [null, $acl, (.action | upper)] end
  else
    ([$groups[] | .ruleGroupId as $g
       | ((.nonTerminatingMatchingRules[]? | select(is_count) | {g: $g, r: .ruleId, o: overridden}),
          (.excludedRules[]? | select(.ruleId and ((.exclusionType // "EXCLUDED_AS_COUNT") | upper) == "EXCLUDED_AS_COUNT")
            | {g: $g, r: .ruleId, o: true}),
          (.terminatingRule // empty | {g: $g, r: .ruleId, o: true}))]
     + [$top[] | {g: null, r: .ruleId, o: overridden}]) as $counted
    | (([$counted[] | select(.o)] | first) // ($counted | first)) as $c
    | if $c then [$c.g, $c.r, "COUNT"] else null end
  end
| select(. != null and (.[2] | IN("BLOCK", "COUNT", "CAPTCHA", "CHALLENGE")))
| map(. // "-") | @tsv
