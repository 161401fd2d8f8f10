import { readFileSync } from 'node:fs';

/** A process's resident memory by kind of mapping, MB. */
export interface MemoryMap {
  total: number;
  /** V8's heap pages (anonymous 256 KB mappings), every isolate's. */
  v8Pages: number;
  /** Anonymous mappings over 4 MB and under 60 MB: V8's large objects and malloc's big blocks. */
  largeAnonymous: number;
  /** glibc's allocator: `[heap]` and the 64 MB arenas of the process's threads. */
  malloc: number;
  /** The node binary's pages. */
  node: number;
  /** Everything else: small anonymous mappings (thread stacks and the like), other libraries. */
  other: number;
}

const ARENA_KB = 60 * 1024;
const V8_PAGE_KB = 256;

/**
 * Sums a process's resident memory (/proc/<pid>/smaps, Linux) by kind of mapping; null where there is
 * no /proc. The kinds are told apart by name and size only: V8 maps its regular heap pages 256 KB at a
 * time and glibc its thread arenas in 64 MB reservations, which is as close as the kernel's view gets.
 */
export function memoryMap(pid: number): MemoryMap | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/smaps`, 'utf8');
  } catch {
    return null;
  }
  return summarizeSmaps(text);
}

/** The text of a /proc/<pid>/smaps file summed by kind of mapping (see memoryMap). */
export function summarizeSmaps(text: string): MemoryMap {
  const kb: Record<keyof Omit<MemoryMap, 'total'>, number> = { v8Pages: 0, largeAnonymous: 0, malloc: 0, node: 0, other: 0 };
  let kind: keyof typeof kb = 'other';
  for (const line of text.split('\n')) {
    const mapping = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (mapping) {
      kind = kindOf((parseInt(mapping[2] as string, 16) - parseInt(mapping[1] as string, 16)) / 1024, mapping[3] ?? '');
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) kb[kind] += Number(rss[1]);
  }
  const mb = (k: number) => k / 1024;
  const map = { v8Pages: mb(kb.v8Pages), largeAnonymous: mb(kb.largeAnonymous), malloc: mb(kb.malloc), node: mb(kb.node), other: mb(kb.other) };
  return { total: map.v8Pages + map.largeAnonymous + map.malloc + map.node + map.other, ...map };
}

function kindOf(sizeKb: number, name: string): keyof Omit<MemoryMap, 'total'> {
  if (name === '[heap]') return 'malloc';
  if (name !== '') return /\/node$/.test(name) ? 'node' : 'other';
  if (sizeKb === V8_PAGE_KB) return 'v8Pages';
  if (sizeKb >= ARENA_KB) return 'malloc';
  return sizeKb > 4096 ? 'largeAnonymous' : 'other';
}
