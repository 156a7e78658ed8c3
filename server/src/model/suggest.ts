// "Did you mean": the closest known name to a misspelt one (Damerau–Levenshtein, see
// syntax/spelling.ts: a swap of two neighbouring letters is one edit).

import { closestWords } from '../syntax/spelling';

export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  return closestWords(name, candidates)[0];
}
