import { spawn } from 'node:child_process';
import type { CheckResult } from './verify.js';

export interface InstallRequest {
  /** A shell command line; the image path and the release version are appended as `$1` and `$2`. */
  command: string;
  imagePath: string;
  /** The Release name, e.g. `v1.0.51`. */
  release: string;
  /** The version the appliance reports once it runs the release. */
  version: string;
  imageVersion: string;
}

const OUTPUT_TAIL = 2_000;

/**
 * Runs the installer hook: `sh -c 'COMMAND "$@"' install IMAGE VERSION`, with MUSTER_IMAGE,
 * MUSTER_VERSION, MUSTER_IMAGE_VERSION and MUSTER_RELEASE in its environment. Exit code 0 is success;
 * anything else is a failure quoting the end of the command's output.
 */
export function runInstallCommand(request: InstallRequest): Promise<CheckResult> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', `${request.command} "$@"`, 'muster-install', request.imagePath, request.version], {
      env: {
        ...process.env,
        MUSTER_IMAGE: request.imagePath,
        MUSTER_VERSION: request.version,
        MUSTER_IMAGE_VERSION: request.imageVersion,
        MUSTER_RELEASE: request.release,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (err) => resolve({ ok: false, error: `install command could not start: ${err.message}` }));
    child.on('close', (code, signal) => {
      if (code === 0) return resolve({ ok: true });
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      const tail = output.trim().split('\n').slice(-5).join(' | ');
      resolve({ ok: false, error: `install command ${how}${tail ? `: ${tail}` : ''}` });
    });
  });
}
