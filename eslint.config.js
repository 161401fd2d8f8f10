import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.demo/', 'test/fixtures/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', AbortController: 'readonly', fetch: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'max-lines': ['warn', { max: 400, skipBlankLines: true, skipComments: true }],
      eqeqeq: ['error', 'smart'],
    },
  },
  // The agent and the controller are two sides of one protocol: what both need (check-in schemas,
  // update phases, version equality, durations, the retention policy hash) lives in protocol/, and
  // neither side imports the other's internals.
  {
    files: ['agent/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['**/controller/**'], message: 'the agent imports what it shares with the controller from protocol/' }] }] },
  },
  {
    files: ['controller/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['**/agent/**'], message: 'the controller imports what it shares with the agent from protocol/' }] }] },
  },
  {
    files: ['protocol/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['**/agent/**', '**/controller/**'], message: 'protocol/ stands alone: both sides import it' }] }] },
  },
  // lib/ is the small toolkit both sides build on (the clock, retry backoff, bounded concurrency): it
  // knows nothing of the product, so it imports neither side nor the protocol.
  {
    files: ['lib/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['**/agent/**', '**/controller/**', '**/protocol/**'], message: 'lib/ stands alone: the controller and the agent import it' }] }] },
  },
);
