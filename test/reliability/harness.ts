import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { startController, type ControllerOptions, type RunningController } from '../../controller/runtime/controller.js';
import { tempDir } from '../helpers/tmp.js';

export const silent = pino({ level: 'silent' });

/** Cleanups run in reverse order after each test. */
export type Cleanups = (() => Promise<unknown> | unknown)[];

/** Runs and empties `cleanups`, newest first. */
export async function runCleanups(cleanups: Cleanups): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}

/** A controller on `repo` and `db` with fast test timings; stopped by the cleanups. */
export async function controllerFor(
  cleanups: Cleanups,
  repo: string,
  db: string,
  extra: Partial<ControllerOptions> = {},
): Promise<RunningController> {
  const cache = tempDir('muster-rel-cache-');
  cleanups.push(cache.remove);
  const controller = await startController({
    repo,
    cacheDir: cache.dir,
    db,
    host: '127.0.0.1',
    port: 0,
    logger: silent,
    intervalMs: 60_000,
    fetchIntervalMs: 3_600_000,
    leaderRetryMs: 100,
    ...extra,
  });
  cleanups.push(() => controller.stop());
  return controller;
}

/**
 * The value of one sample in Prometheus text (`name{labels} value`), 0 when absent. Labels are given
 * as they appear, e.g. `kind="fetch"`.
 */
export function metricValue(text: string, name: string, labels = ''): number {
  const wanted = labels ? `${name}{${labels}}` : name;
  for (const line of text.split('\n')) {
    const space = line.lastIndexOf(' ');
    if (line.slice(0, space) === wanted) return Number(line.slice(space + 1));
  }
  return 0;
}

/** Scrapes the controller's /metrics. */
export async function scrape(url: string, init?: RequestInit): Promise<string> {
  return (await fetch(`${url}/metrics`, init)).text();
}

/** A self-signed certificate for 127.0.0.1 made with openssl, as PEM text. */
export function selfSignedCertificate(cleanups: Cleanups): { cert: string; key: string } {
  const tmp = tempDir('muster-rel-tls-');
  cleanups.push(tmp.remove);
  const [cert, key] = [join(tmp.dir, 'tls.crt'), join(tmp.dir, 'tls.key')];
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert],
    { stdio: 'ignore' },
  );
  return { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
}
