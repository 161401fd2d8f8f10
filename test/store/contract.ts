import { afterEach, beforeEach, describe } from 'vitest';
import { clockReading } from '../../lib/clock.js';
import { basicsContract } from './contract-basics.js';
import { expiryContract } from './contract-expiry.js';
import { outboxContract } from './contract-outbox.js';
import { operatorsContract } from './contract-operators.js';
import { planContract } from './contract-plan.js';
import { proofCountsContract } from './contract-proof-counts.js';
import { proofsContract } from './contract-proofs.js';
import { stateContract } from './contract-state.js';
import type { HarnessFactory, StoreHarness } from './harness.js';

/** A fixed clock for the times a store stamps itself. */
export const STORE_CLOCK = clockReading(() => Date.parse('2026-01-31T12:00:00Z'));

/**
 * The store contract: one suite, run against every implementation on a real database (a fresh one
 * per test), so SQLite and PostgreSQL cannot drift apart.
 */
export function storeContract(name: string, factory: HarnessFactory): void {
  describe(`${name} store contract`, () => {
    let harness: StoreHarness | undefined;
    const h = (): StoreHarness => {
      if (!harness) throw new Error('harness not ready');
      return harness;
    };
    beforeEach(async () => {
      harness = await factory(STORE_CLOCK);
    });
    afterEach(async () => {
      await harness?.cleanup();
      harness = undefined;
    });
    describe('basics', () => basicsContract(h));
    describe('applying plans', () => planContract(h));
    describe('observed state', () => stateContract(h));
    describe('proofs', () => proofsContract(h));
    describe('proof expiry', () => expiryContract(h));
    describe('proof counters', () => proofCountsContract(h));
    describe('notification outbox', () => outboxContract(h));
    describe('operator credentials', () => operatorsContract(h));
  });
}
