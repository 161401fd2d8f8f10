import { describe, expect, it } from 'vitest';
import { loadFleetFiles } from '../../controller/desired/load.js';
import type { DesiredState } from '../../controller/desired/types.js';
import { historyPrunes } from '../../controller/runtime/history-retention.js';
import { appliance, docs, files, retention } from '../desired/fleet-builders.js';

const NOW = new Date('2026-01-31T00:00:00Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000).toISOString();

function fleet(...policies: [ring: string, days: number][]): DesiredState {
  const documents = [appliance('a-1', { ring: 'a' }), appliance('b-1', { ring: 'b' }), appliance('c-1', { ring: 'c' })];
  for (const [ring, days] of policies) documents.push(retention(ring, { selector: { matchLabels: { ring } }, checkinHistory: { retainDays: days } }));
  const loaded = loadFleetFiles(files({ 'f.yaml': docs(...documents) }), 'r');
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  return loaded.state;
}

describe('which check-in history each prune removes', () => {
  it.each([
    { name: 'no desired state: everyone keeps 30 days', given: null, want: [{ days: 30, olderThan: daysAgo(30) }] },
    { name: 'no policy: everyone keeps 30 days', given: fleet(), want: [{ days: 30, olderThan: daysAgo(30) }] },
    { name: 'a policy of 30 days adds nothing', given: fleet(['a', 30]), want: [{ days: 30, olderThan: daysAgo(30) }] },
    {
      name: 'a shorter policy prunes its appliances sooner',
      given: fleet(['a', 7]),
      want: [{ days: 30, olderThan: daysAgo(30) }, { days: 7, olderThan: daysAgo(7), scope: { only: ['a-1'] } }],
    },
    {
      name: 'a longer policy keeps its appliances out of the 30-day prune',
      given: fleet(['b', 90], ['c', 3]),
      want: [
        { days: 30, olderThan: daysAgo(30), scope: { except: ['b-1'] } },
        { days: 3, olderThan: daysAgo(3), scope: { only: ['c-1'] } },
        { days: 90, olderThan: daysAgo(90), scope: { only: ['b-1'] } },
      ],
    },
  ])('$name', ({ given, want }) => {
    const prunes = historyPrunes(given, NOW).map((p) => ({ days: p.retainDays, olderThan: p.olderThan.toISOString(), ...(p.scope && { scope: p.scope }) }));
    expect(prunes).toEqual(want);
  });
});
