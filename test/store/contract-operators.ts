import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import type { StoreHarness } from './harness.js';

/** Operator credentials for the status page: the same tests on every store. */
export function operatorsContract(h: () => StoreHarness): void {
  it('stores only the sha256 of an operator credential, and finds the operator by it', async () => {
    const { store } = h();
    const token = (await store.issueOperatorToken('alice')) as string;
    expect(token).toMatch(/^mso_[A-Za-z0-9_-]{43}$/);
    expect(await store.operatorForToken(token)).toBe('alice');
    const rows = await h().sql('SELECT name, token_sha256 FROM operator_tokens');
    expect(rows).toEqual([{ name: 'alice', token_sha256: createHash('sha256').update(token).digest('hex') }]);
  });

  it('issues a second credential only when rotating, and the rotated one stops working', async () => {
    const { store } = h();
    const first = (await store.issueOperatorToken('alice')) as string;
    expect(await store.issueOperatorToken('alice')).toBeNull();
    const second = (await store.issueOperatorToken('alice', { rotate: true })) as string;
    expect(second).not.toBe(first);
    expect(await store.operatorForToken(first)).toBeNull();
    expect(await store.operatorForToken(second)).toBe('alice');
  });

  it('never takes an appliance token, an unknown or a malformed credential for an operator', async () => {
    const { store } = h();
    const appliance = (await store.issueToken('a-01')) as string;
    await store.issueOperatorToken('alice');
    const cases = [
      { name: 'appliance token', given: appliance },
      { name: 'unknown credential', given: `mso_${'A'.repeat(43)}` },
      { name: 'malformed', given: "mso_' OR 1=1 --" },
      { name: 'empty', given: '' },
    ];
    for (const c of cases) expect(await store.operatorForToken(c.given), c.name).toBeNull();
    expect(await store.applianceForToken((await store.issueOperatorToken('bob')) as string)).toBeNull();
  });

  it('adds the operator table to a database an older Muster made, keeping its appliance tokens', async () => {
    const older = await h().databaseAt(3);
    const before = older.open();
    const token = (await before.issueToken('a-01')) as string;
    const after = older.open();
    await after.migrate();
    expect(await after.applianceForToken(token)).toBe('a-01');
    expect(await after.operatorForToken((await after.issueOperatorToken('alice')) as string)).toBe('alice');
  });
}
