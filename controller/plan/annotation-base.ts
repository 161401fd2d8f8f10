import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The directory GitHub reads annotation paths from: `GITHUB_WORKSPACE` when it is set (the runner
 * resolves a relative `file=` against it, whatever the step's `working-directory`), else the root
 * of the git repository holding `repoDir`, else `repoDir` itself.
 */
export function annotationBase(repoDir: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env.GITHUB_WORKSPACE) return resolve(env.GITHUB_WORKSPACE);
  for (let dir = resolve(repoDir); ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.git'))) return dir;
    if (dirname(dir) === dir) return resolve(repoDir);
  }
}
