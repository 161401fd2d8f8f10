import type { KubeConfig } from '@kubernetes/client-node';
import { KINDS } from '../desired/schema/kinds.js';
import type { Plan } from '../reconcile/plan.js';
import { FetchingSource, type Revision, type SourceTiming } from '../sources/source.js';
import { KindWatch } from './kind-watch.js';
import { kubeApi, type KubeApi } from './kube-api.js';
import { revisionId } from './resource-files.js';
import { RolloutStatusWriter } from './status-writer.js';

export interface KubernetesSourceOptions extends SourceTiming {
  namespace: string;
  /** The cluster and credentials (`loadKubeConfig`); ignored when `api` is given. */
  config?: KubeConfig;
  api?: KubeApi;
}

/**
 * Serves the Muster custom resources of one namespace as revisions: every kind of the kinds
 * registry is listed and watched, each resource becomes a fleet file named `Kind/namespace/name.yaml`,
 * and the revision id is a hash of their resourceVersions. A revision is whole or absent: while any
 * kind cannot be listed or watched the fetch fails (and is retried on backoff), so a partial set is
 * never validated. After each applied plan, `reportPlan` writes every Rollout's status.
 */
export class KubernetesSource extends FetchingSource {
  readonly kind = 'kubernetes' as const;
  private readonly watches: KindWatch[];
  private readonly writer: RolloutStatusWriter;
  /** The status write in flight: writes follow one another, never overlap. */
  private writing: Promise<unknown> = Promise.resolve();

  constructor(options: KubernetesSourceOptions) {
    // Watches announce changes; polling would add nothing but load on the API server.
    super(`kubernetes://${options.namespace}`, { ...options, intervalMs: options.intervalMs ?? null });
    const api = options.api ?? kubeApi(requireConfig(options.config), options.namespace);
    this.watches = KINDS.map((def) => new KindWatch(def.kind, def.plural, api, () => this.trigger()));
    const rollouts = this.watches.find((w) => w.kind === 'Rollout') as KindWatch;
    this.writer = new RolloutStatusWriter(api, (name) => rollouts.object(name));
  }

  protected async fetchRevision(): Promise<Revision> {
    for (const watch of this.watches) await watch.sync();
    const resources = this.watches.flatMap((w) => w.resources());
    return { id: revisionId(resources), files: resources.map((r) => r.file) };
  }

  override async stop(): Promise<void> {
    // The fetch in flight may still open watches: end it first, then close every watch.
    await super.stop();
    for (const watch of this.watches) watch.stop();
    await this.writing;
  }

  /** Writes each Rollout's status from `plan` where it differs from what the cluster holds; resolves with the failures. */
  async reportPlan(plan: Plan): Promise<string[]> {
    const report = this.writing.then(() => this.writer.write(plan.rollouts));
    this.writing = report.catch(() => undefined);
    return (await report).failed.map((f) => f.message);
  }
}

function requireConfig(config: KubeConfig | undefined): KubeConfig {
  if (!config) throw new Error('a Kubernetes source needs a KubeConfig or an api');
  return config;
}
