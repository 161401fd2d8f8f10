import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { FetchLike } from '../protocol/http-fetch.js';
import type { LocalState, Target } from '../state/local-state.js';
import { downloadImage, type DownloadProgress } from './download.js';
import type { StepOutcome, UpdateExecutor } from './executor.js';
import { runInstallCommand } from './install.js';
import { verifyImage } from './verify.js';

export interface FileExecutorOptions {
  /** Images are downloaded into this directory (inside the state directory). */
  imagesDir: string;
  fetch: FetchLike;
  /** The installer hook; without one, an update fails at the install step with a message saying so. */
  installCmd: string | null;
}

/** The file a target's image is downloaded to: named by its sha256, so two targets never share one. */
export function imagePath(imagesDir: string, target: Target): string {
  return join(imagesDir, `${target.image.sha256.toLowerCase().replace(/[^0-9a-f]/g, '')}.img`);
}

/** The appliance's executor: downloads into the state directory, verifies, runs `--install-cmd`. */
export function createFileExecutor(options: FileExecutorOptions): UpdateExecutor {
  const { imagesDir } = options;
  return {
    async download(work: Target, state: LocalState, signal: AbortSignal, onProgress: (p: DownloadProgress) => void): Promise<StepOutcome> {
      await mkdir(imagesDir, { recursive: true });
      const result = await downloadImage({
        url: work.image.url,
        path: imagePath(imagesDir, work),
        fetch: options.fetch,
        signal,
        ...(work.image.sizeBytes !== undefined ? { expectedBytes: work.image.sizeBytes } : {}),
        validator: state.downloadValidator,
        onProgress,
      });
      if (result.kind === 'done') {
        onProgress({ bytes: result.bytes, total: result.bytes, validator: result.validator });
        return { kind: 'ok' };
      }
      return result.kind === 'aborted' ? { kind: 'aborted' } : { kind: 'failed', error: result.error };
    },

    async verify(work: Target): Promise<StepOutcome> {
      const path = imagePath(imagesDir, work);
      const result = await verifyImage(path, work.image);
      if (result.ok) return { kind: 'ok' };
      // A corrupt image must not be resumed from: the next attempt downloads it whole.
      await rm(path, { force: true });
      return { kind: 'failed', error: result.error };
    },

    async install(work: Target): Promise<StepOutcome> {
      if (!options.installCmd) return { kind: 'failed', error: 'no --install-cmd given: the agent cannot install images' };
      const result = await runInstallCommand({
        command: options.installCmd,
        imagePath: imagePath(imagesDir, work),
        release: work.name,
        version: work.version,
        imageVersion: work.image.version,
      });
      return result.ok ? { kind: 'ok' } : { kind: 'failed', error: result.error };
    },

    async discard(target: Target): Promise<void> {
      await rm(imagePath(imagesDir, target), { force: true });
    },

    async cleanup(keep: Target | null): Promise<void> {
      const keepName = keep ? imagePath(imagesDir, keep) : null;
      const names = await readdir(imagesDir).catch(() => [] as string[]);
      await Promise.all(names.map((n) => join(imagesDir, n)).filter((p) => p !== keepName).map((p) => rm(p, { force: true })));
    },
  };
}
