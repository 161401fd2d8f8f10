import { readFile } from 'node:fs/promises';
import type { Running } from './decide.js';

/**
 * What runs now according to the version file (`{agentVersion, imageVersion}`, written by the
 * installer hook). A missing file means unknown versions; a malformed one too, with `problem` set.
 */
export async function readVersionFile(path: string): Promise<Running & { problem?: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    return { agentVersion: null, imageVersion: null, ...(missing ? {} : { problem: String(err) }) };
  }
  try {
    const parsed: unknown = JSON.parse(text);
    const field = (name: string): string | null => {
      const value = parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>)[name] : undefined;
      return typeof value === 'string' && value.length > 0 ? value : null;
    };
    return { agentVersion: field('agentVersion'), imageVersion: field('imageVersion') };
  } catch {
    return { agentVersion: null, imageVersion: null, problem: `${path} is not JSON` };
  }
}
