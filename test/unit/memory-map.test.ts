import { describe, expect, it } from 'vitest';
import { highWaterMb, memoryMap, peakResidentMb, summarizeSmaps } from '../../bench/support/memory-map.js';

// One mapping of an smaps file: its header line and its resident size.
const mapping = (from: number, kb: number, name: string, rssKb: number, perms = 'rw-p') => {
  const start = from.toString(16);
  const end = (from + kb * 1024).toString(16);
  return `${start}-${end} ${perms} 00000000 00:00 0    ${name}\nSize: ${kb} kB\nRss: ${rssKb} kB\nPss: ${rssKb} kB\n`;
};

describe('the memory map of a process (benchmarks)', () => {
  it('sums resident memory by kind of mapping', () => {
    const text = [
      mapping(0x1000_0000, 256, '', 200),
      mapping(0x2000_0000, 256, '', 56),
      mapping(0x3000_0000, 65_536, '', 3_072),
      mapping(0x4000_0000, 8_192, '', 4_096),
      mapping(0x5000_0000, 132, '[heap]', 1_024),
      mapping(0x6000_0000, 90_000, '/usr/local/bin/node', 2_048),
      mapping(0x7000_0000, 1_000, '/usr/lib/x86_64-linux-gnu/libc.so.6', 512),
      mapping(0x8000_0000, 8, '[stack]', 8),
      mapping(0x9000_0000, 1_024, '', 1_000),
    ].join('');
    const map = summarizeSmaps(text);
    expect(map).toEqual({ v8Pages: 0.25, malloc: 4, largeAnonymous: 4, node: 2, other: (512 + 8 + 1_000) / 1024, total: map.total });
    expect(map.total).toBeCloseTo(0.25 + 4 + 4 + 2 + 1_520 / 1024);
  });

  it("counts a thread arena that has not grown to its 64 MiB as malloc's, not as a large mapping", () => {
    const arena = 0x7f00_0000_0000; // 64 MiB-aligned
    const text = [
      mapping(arena, 20_480, '', 20_000),
      mapping(arena + 20_480 * 1024, 65_536 - 20_480, '', 0, '---p'),
      // The same shape off the alignment: a large mapping like any other.
      mapping(arena + 0x1000_0000 + 4096, 20_480, '', 10_000),
      mapping(arena + 0x1000_0000 + 4096 + 20_480 * 1024, 65_536 - 20_480, '', 0, '---p'),
    ].join('');
    const map = summarizeSmaps(text);
    expect(map.malloc).toBeCloseTo(20_000 / 1024);
    expect(map.largeAnonymous).toBeCloseTo(10_000 / 1024);
  });

  it('reads a live process on Linux, the node binary among its mappings', () => {
    const map = memoryMap(process.pid);
    if (process.platform !== 'linux') return expect(map).toBeNull();
    expect(map?.node).toBeGreaterThan(0);
    expect(map?.total).toBeGreaterThan(map?.node ?? Infinity);
  });

  it.each([
    ['a status file', 'Name:\tnode\nVmPeak:\t 1000 kB\nVmHWM:\t  524288 kB\nVmRSS:\t  262144 kB\n', 512],
    ['no high-water mark', 'Name:\tnode\nVmRSS:\t  262144 kB\n', null],
  ])('reads the peak resident memory from %s', (_name, status, want) => {
    expect(highWaterMb(status)).toBe(want);
  });

  it("reads a live process's peak, at least its resident memory now (Linux)", () => {
    const peak = peakResidentMb(process.pid);
    if (process.platform !== 'linux') return expect(peak).toBeNull();
    expect(peak).toBeGreaterThanOrEqual(process.memoryUsage().rss / 1024 / 1024 - 1);
  });
});
