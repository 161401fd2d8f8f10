import { basename } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { contentRevision, readFleetDirectory } from '../desired/load-directory.js';
import { FetchingSource, type Revision, type SourceTiming } from './source.js';
import type { TimerHandle } from '../../lib/clock.js';

export interface DirectorySourceOptions extends SourceTiming {
  dir: string;
  /** Quiet time after the last file change before the tree is read again, in ms. */
  debounceMs?: number;
  /** Watch the tree for changes (chokidar); without it the source reads only on its interval or trigger. */
  watch?: boolean;
}

/**
 * Serves a local directory as it is on disk, for local development: its revision id is a content
 * hash, so only a real change gives a new revision. Watches the tree with chokidar and reads it
 * again once changes have been quiet for `debounceMs`.
 */
export class DirectorySource extends FetchingSource {
  readonly kind = 'directory' as const;
  private readonly dir: string;
  private readonly debounceMs: number;
  private readonly watchTree: boolean;
  private watcher: FSWatcher | null = null;
  private debounce: TimerHandle | null = null;

  constructor(options: DirectorySourceOptions) {
    // A watched tree needs no polling; an unwatched one is read on the interval.
    super(options.dir, { ...options, intervalMs: options.intervalMs ?? (options.watch === false ? 60_000 : null) });
    this.dir = options.dir;
    this.debounceMs = options.debounceMs ?? 300;
    this.watchTree = options.watch ?? true;
  }

  protected async fetchRevision(): Promise<Revision> {
    const { files, unreadable } = await readFleetDirectory(this.dir);
    const id = contentRevision(files);
    return unreadable.length ? { id: `${id}+unreadable`, files, unreadable } : { id, files };
  }

  override async start(): Promise<void> {
    await super.start();
    if (!this.watchTree || this.watcher) return;
    const watcher = watch(this.dir, {
      ignoreInitial: true,
      ignored: (path: string) => path !== this.dir && basename(path).startsWith('.'),
    });
    watcher.on('all', () => this.changed());
    // A vanished directory is reported by the next read; the watcher's own errors add nothing.
    watcher.on('error', () => this.changed());
    await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
    this.watcher = watcher;
  }

  override async stop(): Promise<void> {
    if (this.debounce !== null) this.clock.clearTimeout(this.debounce);
    this.debounce = null;
    await this.watcher?.close();
    this.watcher = null;
    await super.stop();
  }

  private changed(): void {
    if (this.debounce !== null) this.clock.clearTimeout(this.debounce);
    this.debounce = this.clock.setTimeout(() => {
      this.debounce = null;
      this.trigger();
    }, this.debounceMs);
  }
}
