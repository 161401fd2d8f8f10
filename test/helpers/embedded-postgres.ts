// The helper lives with the benchmarks (which are built and run outside vitest); tests use the same one.
export { startOwnPostgres, type OwnPostgres } from '../../bench/support/embedded-postgres.js';
