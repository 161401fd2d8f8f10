/**
 * The cache a caller owns and passes to `reconcile` (see engine/cache.ts): the controller's loop
 * keeps one across passes, `muster plan` makes its own.
 */
export { ReconcileCache, type CacheStats } from './engine/cache.js';
