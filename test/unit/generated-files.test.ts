import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generatedFiles } from '../../scripts/generated-files.js';

describe('generated files', () => {
  for (const [path, text] of generatedFiles()) {
    it(`${path} matches its schema source (run \`npm run gen\` after changing a schema)`, () => {
      expect(readFileSync(path, 'utf8')).toBe(text);
    });
  }
});
