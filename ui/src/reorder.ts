// Puts a parent's children in a wanted order with the fewest moves: the elements that are
// already in order relative to each other (the longest increasing run of their current
// positions) stay, the others are moved next to their wanted neighbour. A refresh that moves
// one row in a sorted list of 500 moves that row alone: the rest keep their place, and so
// does the focus of any row not moved. Pure DOM, no framework; Vitest covers it.

/** Indexes (into `seq`) of one longest strictly increasing subsequence; negatives never count. */
export function longestIncreasing(seq: readonly number[]): Set<number> {
  const tails: number[] = []; // tails[k]: index in seq of the smallest tail of a run of k+1
  const before: number[] = new Array(seq.length).fill(-1);
  seq.forEach((v, i) => {
    if (v < 0) return;
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((seq[tails[mid] ?? 0] ?? 0) < v) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) before[i] = tails[lo - 1] ?? -1;
    tails[lo] = i;
  });
  const kept = new Set<number>();
  for (let i = tails[tails.length - 1] ?? -1; i >= 0; i = before[i] ?? -1) kept.add(i);
  return kept;
}

/** Puts `wanted` in `parent` in that order, moving as few as possible; returns how many were
 * moved. Children not in `wanted` are not moved (the list hides them, or has none). */
export function reorder(parent: Element, wanted: readonly Element[]): number {
  const at = new Map<Element, number>();
  let i = 0;
  for (const child of parent.children) at.set(child, i++);
  const positions = wanted.map((el) => at.get(el) ?? -1);
  const stay = longestIncreasing(positions);
  let moved = 0;
  let previous: Element | null = null;
  wanted.forEach((el, k) => {
    if (!stay.has(k)) {
      if (previous) previous.after(el);
      else parent.prepend(el);
      moved++;
    }
    previous = el;
  });
  return moved;
}
