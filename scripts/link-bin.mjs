// Makes the package's own commands runnable as node_modules/.bin/muster and muster-agent after a build,
// which npm does for dependencies but not for the package itself.
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { bin } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const binDir = join(root, 'node_modules', '.bin');
mkdirSync(binDir, { recursive: true });
for (const [name, target] of Object.entries(bin)) {
  const file = join(root, target);
  if (!existsSync(file)) continue;
  chmodSync(file, 0o755);
  const link = join(binDir, name);
  rmSync(link, { force: true });
  symlinkSync(relative(binDir, file), link);
}
