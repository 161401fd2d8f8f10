import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';
import { tempDir } from '../helpers/tmp.js';

describe('npm start', () => {
  it('runs the demo headless: a first stage completes, a stuck appliance shows its reason, SIGINT stops it cleanly', async () => {
    const work = tempDir('muster-demo-');
    // Its own process group, so SIGINT reaches npm and the demo as Ctrl-C would.
    const child = spawn('npm', ['start', '--silent'], {
      env: { ...process.env, MUSTER_DEMO_DIR: work.dir, MUSTER_LOG_LEVEL: 'error' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    // 'close' waits for every process holding the output pipes: npm and the demo it started.
    const closed = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
    try {
      await eventually(() => /stage 1\/3 complete/.test(out), { what: () => `a completed first stage; output so far:\n${out}\n${err}`, timeoutMs: 180_000, everyMs: 250 });
      const stuck = await eventually(() => /STUCK \S+ \(v1\.0\.51\): .+/.exec(out), { what: () => `a stuck appliance; output so far:\n${out}\n${err}`, timeoutMs: 240_000, everyMs: 250 });
      expect(stuck[0]).toMatch(/offline since|never acknowledged|in phase \w+ since/);
      process.kill(-(child.pid as number), 'SIGINT');
      const { code, signal } = await closed;
      // npm itself ends the way it always does on Ctrl-C; the demo must finish its own shutdown.
      expect(code === 0 || code === 130 || signal === 'SIGINT', `npm ended with ${code ?? signal}`).toBe(true);
      expect(out).toMatch(/SIGINT: stopping/);
      expect(out).toMatch(/stopped cleanly/);
      expect(err).not.toMatch(/Error|unhandled/i);
    } finally {
      if (child.exitCode === null && child.signalCode === null) process.kill(-(child.pid as number), 'SIGKILL');
      work.remove();
    }
  }, 300_000);
});
