import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { accessRules } from '../../controller/kubernetes/api-access.js';
import { cliFlags, controllerEnvironment, listenPort, probeRoutes } from './cli-surface.js';

const DIR = 'manifests/kubernetes';
type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [key: string]: unknown };

const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml'));
const objects: Obj[] = files
  .filter((f) => f !== 'kustomization.yaml')
  .flatMap((f) =>
    parseAllDocuments(readFileSync(join(DIR, f), 'utf8')).map((doc) => {
      if (doc.errors.length) throw new Error(`${f}: ${doc.errors[0]?.message}`);
      return doc.toJS() as Obj;
    }),
  );
const one = (kind: string) => {
  const found = objects.filter((o) => o.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0] as Obj;
};

type Container = {
  args: string[];
  env: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  ports: { name: string; containerPort: number }[];
  readinessProbe: { httpGet: { path: string; port: string } };
  livenessProbe: { httpGet: { path: string; port: string } };
  resources: { requests: { cpu: string; memory: string }; limits: { memory: string } };
  securityContext: { readOnlyRootFilesystem: boolean; allowPrivilegeEscalation: boolean };
};
const deployment = one('Deployment') as Obj & {
  spec: { replicas: number; selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: { serviceAccountName: string; securityContext: { runAsNonRoot: boolean }; containers: Container[] } } };
};
const pod = deployment.spec.template.spec;
const container = pod.containers[0] as Container;

describe('manifests/kubernetes', () => {
  it('parses, every object named and in the muster namespace', () => {
    expect(objects.length).toBeGreaterThanOrEqual(7);
    for (const o of objects) {
      expect(o.apiVersion && o.kind && o.metadata.name, JSON.stringify(o.metadata)).toBeTruthy();
      if (o.kind !== 'Namespace') expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe(one('Namespace').metadata.name);
    }
  });

  it('the Kustomize base lists every manifest and the CRDs', () => {
    const kustomization = parseAllDocuments(readFileSync(join(DIR, 'kustomization.yaml'), 'utf8'))[0]?.toJS() as { resources: string[] };
    expect(kustomization.resources.filter((r) => !r.startsWith('..')).sort()).toEqual(files.filter((f) => f !== 'kustomization.yaml').sort());
    expect(kustomization.resources).toContain('../../crds');
    expect(readdirSync('crds')).toContain('kustomization.yaml');
  });

  it('grants exactly the verbs the code uses, and nothing else', () => {
    const role = one('Role') as Obj & { rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] };
    const expand = (rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[]) =>
      rules.flatMap((r) => r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${g} ${res} ${v}`)))).sort();
    expect(expand(role.rules)).toEqual(expand(accessRules()));
  });

  it('binds the Role to the ServiceAccount the Deployment runs as', () => {
    const binding = one('RoleBinding') as Obj & { roleRef: { kind: string; name: string }; subjects: { kind: string; name: string }[] };
    expect(binding.roleRef).toMatchObject({ kind: 'Role', name: one('Role').metadata.name });
    expect(binding.subjects).toEqual([expect.objectContaining({ kind: 'ServiceAccount', name: one('ServiceAccount').metadata.name })]);
    expect(pod.serviceAccountName).toBe(one('ServiceAccount').metadata.name);
  });

  it('runs muster controller with flags the CLI defines, on the namespace it is in', async () => {
    const [command, ...args] = container.args;
    expect(command).toBe('controller');
    const known = await cliFlags('controller');
    for (const flag of args.filter((a) => a.startsWith('--'))) expect(known.has(flag), `${flag} is a flag of muster controller`).toBe(true);
    expect(args[args.indexOf('--repo') + 1]).toBe('kubernetes://$(POD_NAMESPACE)');
    expect(container.env.map((e) => e.name)).toContain('POD_NAMESPACE');
  });

  it('sets only environment variables the controller reads, the database from a Secret', () => {
    const read = controllerEnvironment();
    for (const { name } of container.env.filter((e) => e.name.startsWith('MUSTER_'))) expect(read.has(name), `${name} is read by the controller`).toBe(true);
    const db = container.env.find((e) => e.name === 'MUSTER_DB');
    expect(db?.valueFrom?.secretKeyRef).toEqual({ name: 'muster-db', key: 'url' });
  });

  it('listens, probes and serves on the same port, with the paths the API serves', () => {
    const port = listenPort(container.args);
    expect(container.ports).toEqual([{ name: 'http', containerPort: port }]);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    for (const path of ['/readyz', '/healthz']) expect(probeRoutes().has(path), `the API serves ${path}`).toBe(true);
    const service = one('Service') as Obj & { spec: { selector: Record<string, string>; ports: { targetPort: string }[] } };
    expect(service.spec.ports.map((p) => p.targetPort)).toEqual(['http']);
    expect(service.spec.selector).toEqual(deployment.spec.template.metadata.labels);
  });

  it('runs two replicas, kept one at least by the PodDisruptionBudget', () => {
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.selector.matchLabels).toEqual(deployment.spec.template.metadata.labels);
    const pdb = one('PodDisruptionBudget') as Obj & { spec: { minAvailable: number; selector: { matchLabels: Record<string, string> } } };
    expect(pdb.spec.minAvailable).toBe(1);
    expect(pdb.spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
  });

  it('runs non-root on a read-only root filesystem', () => {
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
  });

  it("leaves room for a pass's peak (and sets no heap limit: see test/runtime/heap-flag.test.ts)", () => {
    // The `memory` benchmark's peak over a run at 100,000 appliances: 613–703 MB (docs/BENCHMARKS.md).
    expect(mebibytes(container.resources.limits.memory)).toBeGreaterThanOrEqual(1024);
    expect(mebibytes(container.resources.requests.memory)).toBeLessThanOrEqual(mebibytes(container.resources.limits.memory));
  });
});

/** A Kubernetes memory quantity in Mi or Gi as MiB. */
function mebibytes(quantity: string): number {
  const match = /^(\d+)(Mi|Gi)$/.exec(quantity);
  if (!match) throw new Error(`not a memory quantity in Mi or Gi: ${quantity}`);
  return Number(match[1]) * (match[2] === 'Gi' ? 1024 : 1);
}
