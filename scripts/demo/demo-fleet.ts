import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { parseDocument } from 'yaml';
import { computeCohortOrder, stageSize } from '../../controller/reconcile/cohorts.js';

/** A release the demo serves from its own image server. */
export interface DemoImage {
  release: string;
  version: string;
  file: string;
  sha256: string;
  bytes: number;
}

export interface DemoFleet {
  /** The demo repository (a git working tree). */
  dir: string;
  appliances: string[];
  images: DemoImage[];
  /** Appliance id → simulated fault, chosen among the last stage's members so earlier stages complete. */
  faults: Record<string, string>;
}

const SITES = [
  { site: 'lab', client: 'osiriscare', ring: 'canary', count: 4 },
  { site: 'harbour-dental', client: 'harbour', ring: 'early', count: 10 },
  { site: 'hillcrest', client: 'hillcrest-medical', ring: 'general', count: 18 },
  { site: 'riverside', client: 'riverside-clinic', ring: 'general', count: 18 },
];
const FAULTS = ['corrupt-image', 'ignores-updates', 'stuck-downloading', 'offline', 'crash-mid-install'];
export const DEMO_ROLLOUT = 'v1.0.51';
const STAGES = [10, 50, 100];

function applianceDocs(): { ids: string[]; yaml: string } {
  const ids: string[] = [];
  const docs: string[] = [];
  for (const s of SITES) {
    for (let i = 1; i <= s.count; i++) {
      const id = `${s.site}-${String(i).padStart(2, '0')}`;
      ids.push(id);
      docs.push(
        `apiVersion: muster.dev/v1alpha1\nkind: Appliance\nmetadata:\n  name: ${id}\n  labels:\n    site: ${s.site}\n    client: ${s.client}\n    ring: ${s.ring}\n`,
      );
    }
  }
  return { ids, yaml: docs.join('---\n') };
}

/** Deterministic image bytes for a release: a few hundred KiB, so real downloads take a moment. */
function writeImage(dir: string, release: string, version: string, baseUrl: string): DemoImage & { url: string } {
  const chunk = createHash('sha512').update(release).digest();
  const bytes = Buffer.concat(Array.from({ length: 4096 }, () => chunk));
  const file = join(dir, `appliance-${version}.img`);
  writeFileSync(file, bytes);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return { release, version, file, sha256, bytes: bytes.length, url: `${baseUrl}/appliance-${version}.img` };
}

/** The example's release, pointing at the demo image server. */
function releaseYaml(exampleDir: string, image: DemoImage & { url: string }): string {
  const doc = parseDocument(readFileSync(join(exampleDir, 'releases', `${image.release}.yaml`), 'utf8'));
  doc.setIn(['spec', 'image', 'url'], image.url);
  doc.setIn(['spec', 'image', 'sha256'], image.sha256);
  doc.setIn(['spec', 'image', 'sizeBytes'], image.bytes);
  return doc.toString();
}

function rolloutYaml(): string {
  return [
    '# The demo rollout: durations in seconds, so the stages go by in a minute or two.',
    'apiVersion: muster.dev/v1alpha1',
    'kind: Rollout',
    'metadata:',
    `  name: ${DEMO_ROLLOUT}`,
    'spec:',
    '  release: v1.0.51',
    '  stages:',
    '    - percent: 10',
    '      soak: 10s',
    '    - percent: 50',
    '      soak: 10s',
    '    - percent: 100',
    '  progressDeadline: 40s',
    '  maxConcurrent: 20',
    '  failurePolicy:',
    '    maxFailures: 2',
    '    action: pause',
    '',
  ].join('\n');
}

/** Faulty appliances: members of the last stage only, so the first two stages complete and the third shows them stuck. */
function chooseFaults(ids: string[]): Record<string, string> {
  const order = computeCohortOrder(DEMO_ROLLOUT, ids);
  const lastStageOnly = order.slice(stageSize(STAGES[1] as number, ids.length));
  return Object.fromEntries(FAULTS.map((fault, i) => [lastStageOnly[i * 3] as string, fault]));
}

/**
 * Writes the demo fleet repository into `dir` — the example's releases and policies, 50 appliances at four
 * sites, a seconds-long rollout of v1.0.51 — with the images it needs in `imagesDir`, and commits it.
 */
export async function writeDemoFleet(exampleDir: string, dir: string, imagesDir: string, imageBaseUrl: string): Promise<DemoFleet> {
  mkdirSync(join(dir, 'releases'), { recursive: true });
  mkdirSync(join(dir, 'rollouts'), { recursive: true });
  mkdirSync(join(dir, 'policies'), { recursive: true });
  mkdirSync(imagesDir, { recursive: true });
  const { ids, yaml } = applianceDocs();
  writeFileSync(join(dir, 'appliances.yaml'), yaml);
  writeFileSync(
    join(dir, 'fleet.yaml'),
    'apiVersion: muster.dev/v1alpha1\nkind: Fleet\nmetadata:\n  name: demo\nspec:\n  checkinInterval: 5s\n  offlineAfter: 30s\n',
  );
  const images = [writeImage(imagesDir, 'v1.0.49', '1.0.49', imageBaseUrl), writeImage(imagesDir, 'v1.0.51', '1.0.51', imageBaseUrl)];
  for (const image of images) writeFileSync(join(dir, 'releases', `${image.release}.yaml`), releaseYaml(exampleDir, image));
  writeFileSync(join(dir, 'rollouts', `${DEMO_ROLLOUT}.yaml`), rolloutYaml());
  copyFileSync(join(exampleDir, 'policies', 'retention.yaml'), join(dir, 'policies', 'retention.yaml'));
  const git = simpleGit({ baseDir: dir });
  await git.init(['--initial-branch=main']);
  await git.addConfig('user.name', 'Muster demo').addConfig('user.email', 'demo@muster.invalid');
  await git.add('.').commit('Demo fleet: 50 appliances, v1.0.51 rolling out in seconds');
  return { dir, appliances: ids, images, faults: chooseFaults(ids) };
}
