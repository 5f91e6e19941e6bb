// Which of the list's cards are on screen (an IntersectionObserver), so only those tick: with
// hundreds of accounts the others cost nothing until scrolled into view, when they are brought
// up to date at once. Where there is no IntersectionObserver every card counts as on screen.

export interface OnScreen<T> {
  watch(element: Element, item: T): void;
  unwatch(element: Element): void;
  has(item: T): boolean;
  disconnect(): void;
}

/** `shown` is called for an item as it comes into view. */
export function onScreen<T>(shown: (item: T) => void): OnScreen<T> {
  const items = new Map<Element, T>();
  const visible = new Set<T>();
  const observer =
    typeof IntersectionObserver === "undefined"
      ? null
      : new IntersectionObserver((entries) => {
          for (const entry of entries) {
            const item = items.get(entry.target);
            if (item === undefined) continue;
            if (entry.isIntersecting) {
              visible.add(item);
              shown(item);
            } else visible.delete(item);
          }
        });
  return {
    watch(element, item) {
      items.set(element, item);
      if (observer) observer.observe(element);
      else visible.add(item);
    },
    unwatch(element) {
      const item = items.get(element);
      if (item !== undefined) visible.delete(item);
      items.delete(element);
      observer?.unobserve(element);
    },
    has: (item) => visible.has(item),
    disconnect() {
      observer?.disconnect();
      items.clear();
      visible.clear();
    },
  };
}
