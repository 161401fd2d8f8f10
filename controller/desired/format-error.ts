import type { LoadError } from './types.js';

/** `file:line:column: path: message`, the way a compiler prints an error. */
export function formatLoadError(error: LoadError): string {
  return `${error.file}:${error.line}:${error.column}: ${error.path ? `${error.path}: ` : ''}${error.message}`;
}
