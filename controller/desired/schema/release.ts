import { Type, type Static } from '@sinclair/typebox';
import { SHA256_PATTERN, Strict } from './common.js';

export const ReleaseSpec = Strict(
  {
    version: Type.String({
      minLength: 1,
      pattern: '^v?[0-9]+\\.[0-9]+\\.[0-9]+(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?$',
      description: 'The agent version an appliance reports when it runs this release (semver)',
    }),
    image: Strict(
      {
        version: Type.String({ minLength: 1, description: 'The image version an appliance reports' }),
        url: Type.String({ pattern: '^(https?|file)://', description: 'Where agents download the image' }),
        sha256: Type.String({ pattern: SHA256_PATTERN, description: 'Lowercase hex sha256 of the image' }),
        sizeBytes: Type.Optional(Type.Integer({ minimum: 1, description: 'Image size, checked after download' })),
      },
      'The image agents download, verify and install',
    ),
    notes: Type.Optional(Type.String({ description: 'Release notes for people' })),
  },
  'A release an appliance can run',
);
export type ReleaseSpec = Static<typeof ReleaseSpec>;
