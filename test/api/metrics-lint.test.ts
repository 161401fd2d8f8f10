import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startController } from '../../controller/runtime/controller.js';
import { smallFleetFiles, writeFiles } from '../helpers/fleet.js';
import { tempDir } from '../helpers/tmp.js';
import { checkinBody, post } from './api-harness.js';
import { promlint } from './promlint.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('GET /metrics of a running controller', () => {
  it('passes the lint rules of promtool check metrics, and names every outcome `outcome`', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const repo = join(tmp.dir, 'fleet');
    writeFiles(repo, smallFleetFiles());
    const controller = await startController({ repo, db: join(tmp.dir, 'muster.db'), host: '127.0.0.1', port: 0, logger: pino({ level: 'silent' }), intervalMs: 60_000 });
    cleanups.push(() => controller.stop());
    await controller.reconcileNow();
    const [appliance] = controller.plan()?.appliances ?? [];
    const token = (await controller.store.issueToken(appliance?.id as string)) as string;
    // Series with labels exist only once something happened: an accepted check-in, a refused one, evidence.
    expect((await post(`${controller.url}/v1/checkin`, checkinBody(), token)).status).toBe(200);
    expect((await post(`${controller.url}/v1/checkin`, checkinBody(), 'mst_wrong')).status).toBe(401);
    await post(`${controller.url}/v1/evidence`, { bundleId: 'b-1', sha256: 'ab'.repeat(32) }, token);
    const res = await fetch(`${controller.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();

    expect(promlint(text)).toEqual([]);
    expect(text).toMatch(/^muster_checkins_total\{outcome="ok"\} 1$/m);
    expect(text).toMatch(/^muster_checkins_total\{outcome="unauthorized"\} 1$/m);
    expect(text).toMatch(/^muster_ots_submissions_total\{outcome="[a-z-]+"\} 1$/m);
    expect(text, 'process metrics are still exported').toMatch(/^process_cpu_seconds_total /m);
    expect(text, 'active handles by type are still exported').toMatch(/^# TYPE nodejs_active_handles gauge$/m);
    const outcomeLabels = [...text.matchAll(/^(muster_\w+)\{([^}]*)\}/gm)].flatMap((m) => [...(m[2] as string).matchAll(/(\w+)="/g)].map((l) => l[1]));
    expect(outcomeLabels).not.toContain('result');
  });
});

describe('the promtool rules', () => {
  const cases: { name: string; given: string; want: string[] }[] = [
    {
      name: "prom-client's gauges with a counter's suffix",
      given: '# HELP nodejs_active_handles_total Total number of active handles.\n# TYPE nodejs_active_handles_total gauge\nnodejs_active_handles_total 3\n',
      want: ['nodejs_active_handles_total: non-counter metrics should not have "_total" suffix'],
    },
    { name: 'a counter without _total', given: '# HELP a_checkins x\n# TYPE a_checkins counter\na_checkins 1\n', want: ['a_checkins: counter metrics should have "_total" suffix'] },
    { name: 'no HELP', given: '# TYPE a_total counter\na_total 1\n', want: ['a_total: no help text'] },
    { name: 'a unit that is not the base unit', given: '# HELP a_duration_milliseconds x\n# TYPE a_duration_milliseconds gauge\na_duration_milliseconds 1\n', want: ['a_duration_milliseconds: use base unit "seconds" instead of "milliseconds"'] },
    { name: 'an abbreviated unit', given: '# HELP a_duration_ms x\n# TYPE a_duration_ms gauge\na_duration_ms 1\n', want: ['a_duration_ms: metric names should not contain abbreviated units'] },
    { name: 'camelCase', given: '# HELP a_fooBar x\n# TYPE a_fooBar gauge\na_fooBar{someLabel="x"} 1\n', want: ["a_fooBar: metric names should be written in 'snake_case' not 'camelCase'", "a_fooBar: label names should be written in 'snake_case' not 'camelCase'"] },
    { name: 'a type in the name', given: '# HELP a_gauge x\n# TYPE a_gauge gauge\na_gauge 1\n', want: ["a_gauge: metric name should not include type 'gauge'"] },
    { name: 'a gauge named like a histogram part', given: '# HELP a_count x\n# TYPE a_count gauge\na_count 1\n', want: ['a_count: non-histogram and non-summary metrics should not have "_count" suffix'] },
    { name: 'a series twice', given: '# HELP a x\n# TYPE a gauge\na{x="1"} 1\na{x="1"} 2\n', want: ['a: metric not unique: a{x="1"}'] },
    {
      name: 'a histogram with its buckets, sum and count',
      given: '# HELP a_seconds x\n# TYPE a_seconds histogram\na_seconds_bucket{le="1"} 1\na_seconds_bucket{le="+Inf"} 1\na_seconds_sum 0.5\na_seconds_count 1\n',
      want: [],
    },
  ];
  it.each(cases)('$name', ({ given, want }) => expect(promlint(given).map((p) => `${p.metric}: ${p.text}`)).toEqual(want));

  it('fails on text the parser cannot read', () => {
    expect(() => promlint('# TYPE a gauge\na{x=1} 1\n')).toThrow(/cannot parse labels/);
    expect(() => promlint('a 1\n# TYPE a gauge\n')).toThrow(/after its samples/);
  });
});
