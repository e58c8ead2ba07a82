import { z } from 'zod';
import { type Suggestion, type SuggestionSet, suggestionSetSchema } from '../../schemas/suggestion.js';
import { terminalSafe } from '../text/terminal.js';

/** The saved suggestions `plan` and `apply` read (written by `waftune suggest` / `analyze`). */
export function parseSuggestionSet(text: string, source: string): SuggestionSet {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source} is not JSON: ${(error as Error).message}`);
  }
  const parsed = suggestionSetSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(
      `${source} is not a waftune suggestion set (version 1):\n${terminalSafe(z.prettifyError(parsed.error), 2000)}`,
    );
  }
  return parsed.data;
}

/** The suggestions named by id or unique id prefix; all of them when no id is given. */
export function selectSuggestions(set: SuggestionSet, ids: readonly string[]): Suggestion[] {
  if (!ids.length) return set.suggestions;
  const out: Suggestion[] = [];
  for (const id of ids) {
    const exact = set.suggestions.find((x) => x.id === id);
    const matches = exact ? [exact] : set.suggestions.filter((x) => x.id.startsWith(id));
    if (matches.length === 1 && matches[0]) {
      if (!out.includes(matches[0])) out.push(matches[0]);
      continue;
    }
    const known = set.suggestions
      .slice(0, 10)
      .map((x) => terminalSafe(x.id, 60))
      .join(', ');
    if (matches.length > 1)
      throw new Error(
        `suggestion id ${terminalSafe(id)} is ambiguous: ${matches.map((m) => terminalSafe(m.id, 60)).join(', ')}`,
      );
    throw new Error(
      `no suggestion ${terminalSafe(id)} in the set${known ? ` (there are: ${known}${set.suggestions.length > 10 ? ', …' : ''})` : ' (it is empty)'}`,
    );
  }
  return out;
}
