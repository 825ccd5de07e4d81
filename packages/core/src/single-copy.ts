import { DendriteError } from './errors.js';

/** "<version> <esm|cjs>", defined by the tsup build; absent when the TypeScript sources run directly. */
declare const __DENDRITE_CORE_BUILD__: string | undefined;

/** Where the process-wide engine registers itself; Symbol.for, so every copy of core finds the same key. */
const REGISTRY_KEY = Symbol.for('@dendrite/core:engine');

interface Registration {
  /** Which copy: the file it was loaded from, its version and format. */
  readonly copy: string;
  readonly location: string;
}

/**
 * The file this copy of core was loaded from (import.meta.url; shimmed in the CJS build). Where a
 * bundler leaves it empty, a token unique to this evaluation, so two copies are still told apart.
 */
function thisLocation(): string {
  const url = (import.meta as { url?: string }).url;
  return url || `an unknown file (copy ${Math.random().toString(36).slice(2, 10)})`;
}

/**
 * Registers `engine` as the process-wide engine, or throws when another copy of `@dendrite/core` has
 * already registered one. Two copies (two versions in node_modules, or the ESM and the CJS build both
 * loaded) would each have an engine and a Tensor class: tensors of one are unknown to the other's ops,
 * which would otherwise fail as an obscure `instanceof` miss far from the cause. The same file evaluated
 * again (hot module reload, a test runner resetting modules) is not a second copy and replaces the entry.
 *
 * @example
 * ```ts
 * export const engine = claimSingleCopy(new Engine());
 * ```
 */
export function claimSingleCopy<T extends object>(engine: T, location = thisLocation()): T {
  const build = typeof __DENDRITE_CORE_BUILD__ === 'string' ? __DENDRITE_CORE_BUILD__ : 'sources';
  const copy = `@dendrite/core ${build} at ${location}`;
  const host = globalThis as { [REGISTRY_KEY]?: Registration };
  const existing = host[REGISTRY_KEY];
  if (existing !== undefined && existing.location !== location) {
    throw new DendriteError(
      `@dendrite/core is loaded twice (${existing.copy}, and now ${copy}): each copy has its own engine, and ` +
      'tensors of one are unknown to the other. Install one copy (libraries list @dendrite/core as a ' +
      'peerDependency; check with `npm ls @dendrite/core`) and load it one way, all `import` or all `require`.');
  }
  Object.defineProperty(globalThis, REGISTRY_KEY, { value: { copy, location }, configurable: true, enumerable: false, writable: true });
  return engine;
}
