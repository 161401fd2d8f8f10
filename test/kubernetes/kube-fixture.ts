import { KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { KIND_BY_NAME } from '../../controller/desired/schema/kinds.js';
import { FakeKubeApi, kubeconfigFor } from '../helpers/fake-kube-api.js';

type Document = { kind: string; metadata: { name: string; labels?: Record<string, string> }; spec?: unknown };

/** Applies every document of inline fleet files to the fake API server, as Argo CD would sync them. */
export function applyFiles(fake: FakeKubeApi, files: Record<string, string>): void {
  for (const text of Object.values(files)) {
    for (const doc of parseAllDocuments(text)) {
      const object = doc.toJS() as Document | null;
      if (!object) continue;
      const def = KIND_BY_NAME.get(object.kind);
      if (!def) throw new Error(`no kind ${object.kind}`);
      fake.apply(def.plural, object);
    }
  }
}

/** A started fake API server for `namespace` and a KubeConfig that reaches it with its token. */
export async function startFakeCluster(namespace = 'fleet'): Promise<{ fake: FakeKubeApi; url: string; config: KubeConfig }> {
  const fake = new FakeKubeApi(namespace);
  const url = await fake.start();
  const config = new KubeConfig();
  config.loadFromString(kubeconfigFor(url, fake.token, namespace, fake.ca));
  return { fake, url, config };
}
