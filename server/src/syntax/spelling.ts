// Spelling distance for every "did you mean": misspelt names (model) and keywords (parser).
// Lives in the syntax layer, the lowest one that needs it.

/**
 * Damerau–Levenshtein distance in its optimal-string-alignment form: insertions, deletions,
 * substitutions and swaps of two neighbouring characters each cost one (`dsn` → `dns` is 1).
 */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  if (m === 0) return n;
  if (n === 0) return m;
  let prev2: number[] = [];
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = [i];
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      cur[j] = d;
    }
    prev2 = prev;
    prev = cur;
  }
  return prev[n]!;
}

/** How far a misspelling of a word of this length may be: 1 for short words, up to 3. */
function spellingLimit(word: string): number {
  return Math.max(1, Math.min(3, Math.floor(word.length / 3)));
}

/**
 * The candidates closest to `word` within the spelling limit, best first (several when they
 * tie). A difference of case alone counts as half an edit. Empty when none is close.
 */
export function closestWords(word: string, candidates: Iterable<string>): string[] {
  let best: string[] = [];
  let bestD = Infinity;
  const limit = spellingLimit(word);
  const lower = word.toLowerCase();
  for (const c of candidates) {
    if (c === word || Math.abs(c.length - word.length) > limit) continue;
    const d = c.toLowerCase() === lower ? 0.5 : editDistance(word, c);
    if (d > limit) continue;
    if (d < bestD) {
      best = [c];
      bestD = d;
    } else if (d === bestD && !best.includes(c)) best.push(c);
  }
  return best;
}
