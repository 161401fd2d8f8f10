import { readFileSync } from 'node:fs';

/** A process's resident memory by kind of mapping, MB. */
export interface MemoryMap {
  total: number;
  /** V8's heap pages (anonymous 256 KB mappings), every isolate's. */
  v8Pages: number;
  /** Anonymous mappings over 4 MB and under 60 MB: V8's large objects and malloc's big blocks. */
  largeAnonymous: number;
  /** glibc's allocator: `[heap]` and the arenas of the process's threads (64 MB reservations, counted as far as they have grown). */
  malloc: number;
  /** The node binary's pages. */
  node: number;
  /** Everything else: small anonymous mappings (thread stacks and the like), other libraries. */
  other: number;
}

const ARENA_KB = 60 * 1024;
/** The address space glibc reserves for each thread arena (64 MiB on 64-bit systems). */
const ARENA_RESERVATION = 64 * 1024 * 1024;
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

/** A process's peak resident memory since it started (the kernel's high-water mark, VmHWM), MB; null where there is no /proc. */
export function peakResidentMb(pid: number): number | null {
  try {
    return highWaterMb(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return null;
  }
}

/** VmHWM of a /proc/<pid>/status text, MB; null when absent. */
export function highWaterMb(status: string): number | null {
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(status);
  return match ? Number(match[1]) / 1024 : null;
}

/** The text of a /proc/<pid>/smaps file summed by kind of mapping (see memoryMap). */
export function summarizeSmaps(text: string): MemoryMap {
  const kb: Record<keyof Omit<MemoryMap, 'total'>, number> = { v8Pages: 0, largeAnonymous: 0, malloc: 0, node: 0, other: 0 };
  const mappings = parseSmaps(text);
  mappings.forEach((m, i) => (kb[kindOf(m, mappings[i + 1])] += m.rssKb));
  const mb = (k: number) => k / 1024;
  const map = { v8Pages: mb(kb.v8Pages), largeAnonymous: mb(kb.largeAnonymous), malloc: mb(kb.malloc), node: mb(kb.node), other: mb(kb.other) };
  return { total: map.v8Pages + map.largeAnonymous + map.malloc + map.node + map.other, ...map };
}

interface Mapping {
  start: number;
  end: number;
  perms: string;
  name: string;
  rssKb: number;
}

function parseSmaps(text: string): Mapping[] {
  const mappings: Mapping[] = [];
  for (const line of text.split('\n')) {
    const header = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (header) {
      mappings.push({ start: parseInt(header[1] as string, 16), end: parseInt(header[2] as string, 16), perms: header[3] as string, name: header[4] ?? '', rssKb: 0 });
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    const last = mappings[mappings.length - 1];
    if (rss && last) last.rssKb += Number(rss[1]);
  }
  return mappings;
}

function kindOf(m: Mapping, next: Mapping | undefined): keyof Omit<MemoryMap, 'total'> {
  const sizeKb = (m.end - m.start) / 1024;
  if (m.name === '[heap]') return 'malloc';
  if (m.name !== '') return /\/node$/.test(m.name) ? 'node' : 'other';
  if (sizeKb === V8_PAGE_KB) return 'v8Pages';
  if (sizeKb >= ARENA_KB || isArenaHead(m, next)) return 'malloc';
  return sizeKb > 4096 ? 'largeAnonymous' : 'other';
}

/**
 * A thread arena that has not grown to its whole reservation: glibc reserves 64 MiB aligned on 64 MiB
 * and makes it writable from the start as it grows, so the kernel shows the part in use followed by
 * the inaccessible rest, the two together exactly the reservation.
 */
function isArenaHead(m: Mapping, next: Mapping | undefined): boolean {
  return m.start % ARENA_RESERVATION === 0 && next !== undefined && next.name === '' && next.perms.startsWith('---') && next.start === m.end && next.end === m.start + ARENA_RESERVATION;
}
