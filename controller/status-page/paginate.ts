/** Rows shown per page in long lists (appliances, findings, cohort members). */
export const PAGE_SIZE = 100;

export interface Page<T> {
  items: T[];
  /** 1-based page shown, clamped to the pages there are. */
  page: number;
  pages: number;
  total: number;
}

/** The `page` query parameter as a page number: 1 when absent or not a positive integer. */
export function pageNumber(raw: unknown): number {
  const n = Number(raw);
  return Number.isInteger(n) && n > 0 ? n : 1;
}

/** One page of `items`; a page past the end shows the last one. */
export function paginate<T>(items: readonly T[], page: number, size = PAGE_SIZE): Page<T> {
  const pages = Math.max(1, Math.ceil(items.length / size));
  const shown = Math.min(page, pages);
  return { items: items.slice((shown - 1) * size, shown * size), page: shown, pages, total: items.length };
}
