#!/usr/bin/env node
// Checks every publishable package the way a user meets it: its scaffold has the shared shape,
// publint finds nothing wrong, and its packed tarball imports from a scratch project in ESM and CJS.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const problems = [];
let checks = 0;
const fail = (name, message) => problems.push(`${name}: ${message}`);

const packageDirs = readdirSync(join(root, 'packages')).map((d) => join(root, 'packages', d)).filter((d) => existsSync(join(d, 'package.json')));
const manifests = packageDirs.map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }));

function checkScaffold({ dir, manifest }) {
  const name = manifest.name;
  const expect = (condition, message) => { checks++; if (!condition) fail(name, message); };
  expect(name.startsWith('@dendrite/'), 'name must be scoped @dendrite/');
  expect(manifest.private !== true, 'library packages are publishable (not private)');
  expect(manifest.type === 'module', 'type must be "module"');
  expect(manifest.sideEffects === false, 'sideEffects must be false');
  expect(manifest.license === 'MIT', 'license must be MIT');
  expect(Array.isArray(manifest.files) && manifest.files.includes('dist'), 'files must include dist');
  for (const script of ['build', 'test', 'lint', 'typecheck']) expect(manifest.scripts?.[script], `missing script "${script}"`);
  for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
    if (subpath === './package.json') continue;
    expect(target?.import && target?.require, `exports["${subpath}"] needs import and require conditions`);
    for (const condition of ['import', 'require']) {
      const entry = target?.[condition];
      expect(entry && Object.keys(entry)[0] === 'types', `exports["${subpath}"].${condition} must list "types" first`);
    }
  }
  expect(manifest.exports?.['.'], 'exports["."] is missing');
  // One engine per app: a package whose code imports core takes it as a peer (plus a workspace devDependency
  // to build and test against), never as a dependency of its own that could install a second copy.
  if (name !== '@dendrite/core') {
    const importsCore = sourceFiles(join(dir, 'src')).some((file) => /^(import|export)[^\n]*from '@dendrite\/core[/']/m.test(readFileSync(file, 'utf8')));
    expect(!manifest.dependencies?.['@dendrite/core'], '@dendrite/core must be a peerDependency, not a dependency (one engine per app)');
    if (importsCore) {
      expect(manifest.peerDependencies?.['@dendrite/core'], 'imports @dendrite/core, so it must list it in peerDependencies');
      expect(manifest.devDependencies?.['@dendrite/core'] === 'workspace:*', 'must list @dendrite/core in devDependencies as "workspace:*"');
    }
  }
  const tsconfig = existsSync(join(dir, 'tsconfig.json')) ? readFileSync(join(dir, 'tsconfig.json'), 'utf8') : '';
  expect(tsconfig.includes('../../tsconfig.base.json'), 'tsconfig.json must extend ../../tsconfig.base.json');
  expect(existsSync(join(dir, 'tsup.config.ts')), 'tsup.config.ts is missing');
  const readme = existsSync(join(dir, 'README.md')) ? readFileSync(join(dir, 'README.md'), 'utf8') : '';
  expect(/npm install|pnpm add/.test(readme) && readme.includes('```ts'), 'README.md needs an install line and a TypeScript example');
}

/** Non-test TypeScript sources under `directory`. */
function sourceFiles(directory) {
  if (!existsSync(directory)) return [];
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

function run(command, args, cwd) {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

for (const entry of manifests) checkScaffold(entry);

// publint on each package (it reads the built dist).
for (const { dir, manifest } of manifests) {
  checks++;
  try {
    const output = run(join(root, 'node_modules/.bin/publint'), ['--strict', '--pack', 'npm'], dir);
    if (/error|warning/i.test(output) && !/All good/i.test(output)) fail(manifest.name, `publint:\n${output}`);
  } catch (error) {
    fail(manifest.name, `publint failed:\n${error.stdout ?? ''}${error.stderr ?? ''}`);
  }
}

// Pack every package and lay the tarballs out as a user's node_modules would have them.
const scratch = mkdtempSync(join(tmpdir(), 'dendrite-pack-'));
const modules = join(scratch, 'node_modules');
const tarballs = join(scratch, 'tarballs');
mkdirSync(join(modules, '@dendrite'), { recursive: true });
mkdirSync(tarballs);
for (const { dir, manifest } of manifests) {
  const packed = run('npx', ['-y', 'pnpm@12.4.2', 'pack', '--pack-destination', tarballs], dir).trim().split('\n').pop().trim();
  const tarball = packed.endsWith('.tgz') ? (packed.startsWith('/') ? packed : join(tarballs, packed.split('/').pop())) : join(tarballs, readdirSync(tarballs).find((f) => f.includes(manifest.name.split('/')[1])));
  const target = join(modules, manifest.name);
  mkdirSync(target, { recursive: true });
  run('tar', ['-xzf', tarball, '-C', target, '--strip-components=1'], scratch);
  const packedManifest = JSON.parse(readFileSync(join(target, 'package.json'), 'utf8'));
  checks++;
  if (JSON.stringify(packedManifest).includes('workspace:')) fail(manifest.name, 'packed package.json still has workspace: ranges');
  // Third-party dependencies come from the workspace install (no network needed).
  for (const dependency of Object.keys(packedManifest.dependencies ?? {})) {
    if (dependency.startsWith('@dendrite/') || existsSync(join(modules, dependency))) continue;
    const source = join(dir, 'node_modules', dependency);
    if (!existsSync(source)) continue;
    mkdirSync(dirname(join(modules, dependency)), { recursive: true });
    symlinkSync(realpathSync(source), join(modules, dependency), 'dir');
  }
}

// ./testing entries import vitest (a test runner's package, ESM only): offer the workspace's copy.
if (!existsSync(join(modules, 'vitest')) && existsSync(join(root, 'node_modules', 'vitest'))) {
  symlinkSync(realpathSync(join(root, 'node_modules', 'vitest')), join(modules, 'vitest'), 'dir');
}
for (const { manifest } of manifests) {
  // Every entry point (./testing needs vitest, which cannot be required: ESM only).
  const specifiers = Object.keys(manifest.exports ?? { '.': null }).filter((subpath) => subpath !== './package.json')
    .map((subpath) => (subpath === '.' ? manifest.name : `${manifest.name}${subpath.slice(1)}`));
  for (const name of specifiers) {
    const esm = `import * as m from '${name}'; if (Object.keys(m).length === 0) throw new Error('no exports'); console.log(Object.keys(m).length);`;
    const cjs = `const m = require('${name}'); if (Object.keys(m).length === 0) throw new Error('no exports'); console.log(Object.keys(m).length);`;
    for (const [kind, file, code] of [['ESM', 'check.mjs', esm], ['CJS', 'check.cjs', cjs]]) {
      if (kind === 'CJS' && name.endsWith('/testing')) continue;
      checks++;
      writeFileSync(join(scratch, file), code);
      try {
        const count = run('node', [file], scratch).trim();
        console.log(`ok  ${name} (${kind}): ${count} exports from the packed tarball`);
      } catch (error) {
        fail(name, `${kind} import of the packed tarball failed:\n${error.stderr ?? error.message}`);
      }
    }
  }
  const name = manifest.name;
  const types = manifest.exports?.['.']?.import?.types;
  checks++;
  if (types && !existsSync(join(modules, name, types))) fail(name, `types file ${types} is missing from the tarball`);
}
// The WebAssembly kernels are a lazily loaded chunk: ready() must still find and load them, in both formats.
for (const [kind, file, code] of [
  ['ESM', 'ready.mjs', "const core = await import('@dendrite/core'); await core.ready(); console.log(core.getBackendInfo().implementation); process.exit(0);"],
  ['CJS', 'ready.cjs', "const core = require('@dendrite/core'); core.ready().then(() => { console.log(core.getBackendInfo().implementation); process.exit(0); });"],
]) {
  checks++;
  writeFileSync(join(scratch, file), code);
  const implementation = run('node', [file], scratch).trim();
  if (implementation === 'wasm-simd') console.log(`ok  @dendrite/core (${kind}): ready() loads the WebAssembly kernels from their own chunk`);
  else fail('@dendrite/core', `${kind}: after ready() the implementation is '${implementation}', not 'wasm-simd'`);
}

// Core's ESM and CJS builds loaded together are two engines: the second must refuse to load, clearly.
checks++;
writeFileSync(join(scratch, 'two-copies.mjs'), `
import { createRequire } from 'node:module';
await import('@dendrite/core');
try {
  createRequire(import.meta.url)('@dendrite/core');
  console.log('loaded twice without an error');
} catch (error) {
  console.log(error.name + ': ' + error.message);
}`);
const twoCopies = run('node', ['two-copies.mjs'], scratch).trim();
if (/^DendriteError: @dendrite\/core is loaded twice/.test(twoCopies)) console.log('ok  @dendrite/core: ESM + CJS in one process is refused with a DendriteError');
else fail('@dendrite/core', `loading its ESM and CJS builds together should throw "loaded twice", got: ${twoCopies}`);

rmSync(scratch, { recursive: true, force: true });

if (problems.length) {
  console.error(`\n${problems.length} package problem(s):\n- ${problems.join('\n- ')}`);
  console.log(`packages: ${checks - problems.length} passed, ${problems.length} failed`);
  process.exit(1);
}
console.log(`packages: ${checks} passed, 0 failed`);
