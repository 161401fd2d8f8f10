import { errorCode, type KubeApi, type KubeObject, type WatchEventType } from './kube-api.js';
import { resourceFile, type HeldResource } from './resource-files.js';

interface Entry extends HeldResource {
  object: KubeObject;
}

/**
 * Follows one kind in one namespace the way an informer does: a list, then a watch from the list's
 * resourceVersion with bookmarks, resumed from the last resourceVersion seen when the stream ends,
 * and a fresh list when the server answers 410 Gone (that version is too old to resume from).
 * Calls `changed` when a resource's document changes or the watch ends; the owner then calls
 * `sync()` again, which is where every failure surfaces.
 */
export class KindWatch {
  private entries = new Map<string, Entry>();
  private resourceVersion = '';
  private listed = false;
  private gone = false;
  private request: { abort(): void } | null = null;
  private current: object | null = null;
  private watching = false;
  private stopped = false;

  constructor(
    readonly kind: string,
    readonly plural: string,
    private readonly api: KubeApi,
    private readonly changed: () => void,
  ) {}

  /** Lists when needed and makes sure a watch is open; rejects with the API server's refusal. */
  async sync(): Promise<void> {
    this.stopped = false;
    if (!this.listed) await this.list();
    if (!this.watching) await this.openWatch();
  }

  stop(): void {
    this.stopped = true;
    this.request?.abort();
    this.request = null;
    this.watching = false;
  }

  /** The resources held now, in no particular order. */
  resources(): HeldResource[] {
    return [...this.entries.values()];
  }

  /** The resourceVersion the next watch resumes from: the newest seen in a list, an event or a bookmark. */
  resumeVersion(): string {
    return this.resourceVersion;
  }

  /** The object named `name` as last seen, status included. */
  object(name: string): KubeObject | undefined {
    return this.entries.get(name)?.object;
  }

  private async list(): Promise<void> {
    const list = await this.api.list(this.plural);
    const next = new Map<string, Entry>();
    for (const object of list.items) {
      const name = object.metadata?.name ?? '';
      next.set(name, this.entryFor(object, this.entries.get(name)));
    }
    this.entries = next;
    this.resourceVersion = list.resourceVersion;
    this.listed = true;
    this.gone = false;
  }

  private async openWatch(): Promise<void> {
    // Which watch a late `done` belongs to: one replaced or refused before it was returned is not current.
    const attempt = { ended: false, error: null as unknown };
    this.current = attempt;
    this.watching = true;
    const request = await this.api.watch(
      this.plural,
      this.resourceVersion,
      (type, object) => this.event(type, object),
      (err) => {
        attempt.ended = true;
        attempt.error = err;
        if (this.current === attempt && this.request) this.ended(err);
      },
    );
    // A refusal (403, 410 …) ends the watch before it is returned: report it to the caller.
    if (attempt.ended) {
      this.watching = false;
      if (errorCode(attempt.error) === 410) this.listed = false;
      // A stream closed at once is retried on backoff, not in a tight loop.
      throw attempt.error instanceof Error ? attempt.error : new Error(`watch ${this.plural}: closed by the server at once`);
    }
    this.request = request;
  }

  private event(type: WatchEventType, object: KubeObject): void {
    if (type === 'ERROR') {
      // The stream's own 410: the server closes it next, and a fresh list follows.
      if ((object as { code?: unknown }).code === 410) this.gone = true;
      return;
    }
    const version = object.metadata?.resourceVersion;
    if (version) this.resourceVersion = version;
    if (type === 'BOOKMARK') return;
    const name = object.metadata?.name ?? '';
    const before = this.entries.get(name);
    if (type === 'DELETED') {
      if (this.entries.delete(name)) this.changed();
      return;
    }
    const entry = this.entryFor(object, before);
    this.entries.set(name, entry);
    if (entry.resourceVersion !== before?.resourceVersion) this.changed();
  }

  private ended(err: unknown): void {
    this.request = null;
    this.watching = false;
    if (this.stopped) return;
    if (this.gone || errorCode(err) === 410) this.listed = false;
    this.changed();
  }

  /** Keeps the old resourceVersion when only the status changed, so a status write is no new revision. */
  private entryFor(object: KubeObject, before: Entry | undefined): Entry {
    const file = resourceFile(this.kind, object);
    if (before && before.file.content === file.content) return { ...before, object };
    return { file, object, resourceVersion: object.metadata?.resourceVersion ?? '' };
  }
}
