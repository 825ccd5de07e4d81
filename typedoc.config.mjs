// @ts-check
// `pnpm docs`: the API reference of every published package under packages/, from its doc
// comments, into docs/api/. A package is picked up by being there; its entry points default to
// src/index.ts, and a package with more exports (./node, ./backend...) lists them in its own
// typedoc.json. A public export without a doc comment, or a {@link} that resolves to nothing,
// fails the run.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const packagesDir = new URL('./packages/', import.meta.url).pathname;
const readJson = (/** @type {string} */ file) => JSON.parse(readFileSync(file, 'utf8'));
const packages = readdirSync(packagesDir)
  .filter((name) => existsSync(join(packagesDir, name, 'package.json')))
  .filter((name) => readJson(join(packagesDir, name, 'package.json')).private !== true);

// A subpath export documented by nothing would silently leave a public API out: refuse that.
for (const name of packages) {
  const exported = Object.keys(readJson(join(packagesDir, name, 'package.json')).exports ?? { '.': '' })
    .filter((key) => key !== './package.json');
  const ownConfig = join(packagesDir, name, 'typedoc.json');
  if (exported.length > 1 && !existsSync(ownConfig)) {
    throw new Error(
      `docs: packages/${name} exports ${exported.join(', ')} but has no typedoc.json listing an entry point for each ` +
      `(see packages/layers/typedoc.json)`,
    );
  }
}

/** @type {Partial<import('typedoc').TypeDocOptions>} */
export default {
  name: 'Dendrite API reference',
  entryPointStrategy: 'packages',
  entryPoints: packages.map((name) => `packages/${name}`),
  packageOptions: {
    entryPoints: ['src/index.ts'],
    // Each package's page opens with its README (the usage guide).
    readme: 'README.md',
    excludePrivate: true,
    // No source links: they need a recognised git host, and CI's clone points at a local path.
    disableSources: true,
    excludeInternal: true,
    // Type errors are the typecheck step's job; skipping TypeScript's diagnostics here saves ~40% of the run.
    skipErrorChecking: true,
    // Checked per package (TypeDoc turns link checks off there and runs them once, merged).
    validation: { notExported: true, notDocumented: true, invalidPath: true, rewrittenLink: true },
    // Every exported declaration needs its own doc comment; members (options fields, a layer's
    // weights) are described by their owner's comment where they have none of their own.
    requiredToBeDocumented: ['Enum', 'Variable', 'Function', 'Class', 'Interface', 'TypeAlias', 'Namespace', 'Method'],
  },
  readme: 'none',
  disableSources: true,
  out: 'docs/api',
  validation: { notExported: true, invalidLink: true, invalidPath: true, rewrittenLink: true, notDocumented: true, unusedMergeModuleWith: true },
  treatWarningsAsErrors: true,
};
