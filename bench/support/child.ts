import { fork, type ChildProcess } from 'node:child_process';
import type { Sample } from '../load/checkin-load.js';

/**
 * Forks a built module (with `execArgv` for Node, e.g. `--cpu-prof`, and `env`, this process's by default), sends it one request over IPC and resolves with its first answer
 * (`{ok: true, …}`), keeping the child running; rejects with the child's error otherwise.
 */
export function forkWithRequest<T>(modulePath: string, request: unknown, execArgv: string[] = [], env: NodeJS.ProcessEnv = process.env): Promise<{ child: ChildProcess; answer: T }> {
  return new Promise((resolve, reject) => {
    const child = fork(modulePath, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv, env });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${modulePath} exited with ${code} before answering`)));
    child.once('message', (message: { ok: boolean; error?: string } & Record<string, unknown>) => {
      if (!message.ok) reject(new Error(message.error ?? 'child failed'));
      else resolve({ child, answer: message as T });
    });
    child.send(request as object);
  });
}

/** Stops a forked child and waits for it to exit. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}

/** Sends a running child one more request and resolves with its next answer (`{ok: true, …}`). */
export function ask<T>(child: ChildProcess, request: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    child.once('message', (message: { ok: boolean; error?: string } & Record<string, unknown>) => {
      if (!message.ok) reject(new Error(message.error ?? 'child failed'));
      else resolve(message as T);
    });
    child.send(request as object);
  });
}

/** Tells the load child to stop and collects its samples. */
export function stopLoad(child: ChildProcess): Promise<Sample[]> {
  return new Promise((resolve, reject) => {
    child.once('message', (message: { ok: boolean; samples?: Sample[]; error?: string }) =>
      message.ok ? resolve(message.samples ?? []) : reject(new Error(message.error)),
    );
    child.send('stop');
  });
}
