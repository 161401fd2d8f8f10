/**
 * The finding messages a pass makes and the next passes keep, made flat and shared. V8 builds a
 * template literal's result as a chain of concatenations; once such a text is read it is flattened,
 * but the chain's first node stays in front of the flat text for as long as the text is kept: 32
 * bytes each, about 10 MB for the 300,000 messages a 100,000-appliance fleet kept (2026-12-05,
 * docs/BENCHMARKS.md). Equal texts made apart are shared too, so a text many appliances have in
 * common stays one string. Emptied as each pass ends: it holds only what one pass made.
 *
 * Not used for the appliances' status reasons: many of them are worded anew every pass, and making
 * them flat cost a warm pass at 100,000 appliances about 25 ms (of about 105) for 15 MB of heap.
 */
export class FlatTexts {
  private readonly made = new Map<string, string>();

  /** `text`, flat, or the equal flat text this pass already made. */
  flat(text: string): string {
    const known = this.made.get(text);
    if (known !== undefined) return known;
    // Encoding and decoding makes a new flat string of the same text; keyed by it, the table holds no chains.
    const flat = Buffer.from(text, 'utf8').toString('utf8');
    this.made.set(flat, flat);
    return flat;
  }

  /** Forgets this pass's texts (the kept ones live on where they are used). */
  clear(): void {
    this.made.clear();
  }
}
