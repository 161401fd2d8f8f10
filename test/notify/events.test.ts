import { describe, expect, test } from 'vitest';
import { NOTIFIABLE_PHASES } from '../../controller/desired/schema/notifier.js';
import { eventId, linkFor, notificationEvents, phaseChanges, type PlanChange } from '../../controller/notify/events.js';
import { ROLLOUT_PHASES } from '../../controller/observed/state-schema.js';
import { plan, rolloutStatus } from '../store/builders.js';
import { finding, notifier } from './builders.js';

const NOW = '2026-12-04T10:00:00.000Z';
const none: PlanChange = { opened: [], resolved: [], phases: [] };
const stalled = { rollout: 'v51', from: 'Progressing' as const, to: 'Stalled' as const, message: 'Stage 3/3: 4 stuck' };

describe('which events a plan change gives a notifier', () => {
  test.each([
    { name: 'nothing changed: nothing told', given: { change: none, n: notifier('a') }, want: [] },
    {
      name: 'no filters: every finding opened or resolved',
      given: { change: { ...none, opened: [finding('StuckAppliance', { appliance: 'lab-01' })], resolved: [finding('ApplianceOffline', { severity: 'warning', appliance: 'x' })] }, n: notifier('a') },
      want: ['finding.opened StuckAppliance', 'finding.resolved ApplianceOffline'],
    },
    {
      name: 'a type list keeps only those types',
      given: { change: { ...none, opened: [finding('StuckAppliance'), finding('RolloutStalled', { rollout: 'v51' })] }, n: notifier('a', { on: { findings: ['RolloutStalled'], severities: null, rollouts: [] } }) },
      want: ['finding.opened RolloutStalled'],
    },
    {
      name: 'a severity list keeps only those severities',
      given: { change: { ...none, opened: [finding('StuckAppliance'), finding('PruneOverdue', { severity: 'warning' })] }, n: notifier('a', { on: { findings: null, severities: ['warning'], rollouts: [] } }) },
      want: ['finding.opened PruneOverdue'],
    },
    {
      name: 'type and severity must both match',
      given: { change: { ...none, opened: [finding('PruneOverdue', { severity: 'warning' })] }, n: notifier('a', { on: { findings: ['PruneOverdue'], severities: ['error'], rollouts: [] } }) },
      want: [],
    },
    { name: 'the default phases include Stalled', given: { change: { ...none, phases: [stalled] }, n: notifier('a') }, want: ['rollout.phase Stalled'] },
    {
      name: 'the default phases leave out Progressing',
      given: { change: { ...none, phases: [{ ...stalled, from: 'Pending' as const, to: 'Progressing' as const }] }, n: notifier('a') },
      want: [],
    },
    {
      name: 'a phase list replaces the default',
      given: { change: { ...none, phases: [stalled, { ...stalled, rollout: 'v49', to: 'Complete' as const }] }, n: notifier('a', { on: { findings: null, severities: null, rollouts: ['Complete'] } }) },
      want: ['rollout.phase Complete'],
    },
  ])('$name', ({ given, want }) => {
    const out = notificationEvents(given.change, { notifiers: [given.n], publicUrl: null }, NOW);
    expect(out.add.map((e) => `${e.event.event} ${e.event.event === 'rollout.phase' ? e.event.phase : e.event.type}`)).toEqual(want);
    expect(out.cancel).toEqual([]);
  });

  test('every notifier gets its own row of the same event, with the same id', () => {
    const out = notificationEvents({ ...none, phases: [stalled] }, { notifiers: [notifier('a'), notifier('b')], publicUrl: null }, NOW);
    expect(out.add.map((e) => [e.notifier, e.id])).toEqual([
      ['a', eventId('rollout/v51', 'Stalled', 'entered', NOW)],
      ['b', eventId('rollout/v51', 'Stalled', 'entered', NOW)],
    ]);
  });

  test('ids are stable for the same subject, type, transition and time, and differ when any changes', () => {
    const base = eventId('StuckAppliance/lab-01//', 'StuckAppliance', 'opened', NOW);
    expect(eventId('StuckAppliance/lab-01//', 'StuckAppliance', 'opened', NOW)).toBe(base);
    expect(new Set([
      base,
      eventId('StuckAppliance/lab-02//', 'StuckAppliance', 'opened', NOW),
      eventId('StuckAppliance/lab-01//', 'StuckAppliance', 'resolved', NOW),
      eventId('StuckAppliance/lab-01//', 'StuckAppliance', 'opened', '2026-12-04T10:00:01.000Z'),
    ]).size).toBe(4);
  });

  test('an event carries its time, subject, message and severity', () => {
    const [entry] = notificationEvents({ ...none, opened: [finding('StuckAppliance', { appliance: 'lab-01', rollout: 'v51' })] }, { notifiers: [notifier('a')], publicUrl: 'https://muster.example/' }, NOW).add;
    expect(entry?.event).toEqual({
      id: entry?.id,
      at: NOW,
      notifier: 'a',
      event: 'finding.opened',
      type: 'StuckAppliance',
      severity: 'error',
      subject: { appliance: 'lab-01', rollout: 'v51' },
      message: 'StuckAppliance happened',
      link: 'https://muster.example/appliances/lab-01',
    });
    expect(entry?.notBefore).toBe(NOW);
  });
});

describe('links to the status page', () => {
  test.each([
    { name: 'an appliance finding: the appliance', given: { appliance: 'lab-01', rollout: 'v51' }, want: 'https://m.example/appliances/lab-01' },
    { name: 'a rollout: the rollout', given: { rollout: 'v1.0.51' }, want: 'https://m.example/rollouts/v1.0.51' },
    { name: 'anything else: the findings of its type', given: { policy: 'default' }, want: 'https://m.example/findings?type=OtsBacklog' },
  ])('$name', ({ given, want }) => {
    expect(linkFor('https://m.example', given, 'OtsBacklog')).toBe(want);
  });

  test('without a public URL there is no link', () => {
    expect(linkFor(null, { rollout: 'v51' }, 'RolloutPhase')).toBeUndefined();
  });
});

describe('quiet period', () => {
  const quiet = notifier('a', { quietPeriodMs: 600_000 });
  const f = finding('ApplianceOffline', { appliance: 'x' });

  test('a resolution waits out the quiet period before it may be sent', () => {
    const [entry] = notificationEvents({ ...none, resolved: [f] }, { notifiers: [quiet], publicUrl: null }, NOW).add;
    expect(entry?.notBefore).toBe('2026-12-04T10:10:00.000Z');
  });

  test('a reopening while that resolution is held cancels it and is not told', () => {
    const held = new Set([`a\u0000ApplianceOffline/x//`]);
    const out = notificationEvents({ ...none, opened: [f] }, { notifiers: [quiet], publicUrl: null }, NOW, held);
    expect(out).toEqual({ add: [], cancel: [{ notifier: 'a', subjectKey: 'ApplianceOffline/x//' }] });
  });
});

describe('phase changes of a plan', () => {
  test('come from SetPhase actions that change the phase, with the rollout message', () => {
    const p = plan(NOW, [
      { type: 'SetPhase', rollout: 'v51', phase: 'Stalled', from: 'Progressing' },
      { type: 'SetPhase', rollout: 'v49', phase: 'Paused', from: 'Paused', latch: null },
      { type: 'SetPhase', rollout: 'v52', phase: 'Progressing', from: null },
    ], { rollouts: [rolloutStatus('v51', { message: '4 stuck' })] });
    expect(phaseChanges(p)).toEqual([
      { rollout: 'v51', from: 'Progressing', to: 'Stalled', message: '4 stuck' },
      { rollout: 'v52', from: null, to: 'Progressing', message: '' },
    ]);
  });

  test('a notifier may listen for every phase the State document knows', () => {
    expect([...NOTIFIABLE_PHASES]).toEqual([...ROLLOUT_PHASES]);
  });
});
