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
  const dot = manifest.exports?.['.'];
  expect(dot?.import && dot?.require, 'exports["."] needs import and require conditions');
  for (const condition of ['import', 'require']) {
    const entry = dot?.[condition];
    expect(entry && Object.keys(entry)[0] === 'types', `exports["."].${condition} must list "types" first`);
  }
  const tsconfig = existsSync(join(dir, 'tsconfig.json')) ? readFileSync(join(dir, 'tsconfig.json'), 'utf8') : '';
  expect(tsconfig.includes('../../tsconfig.base.json'), 'tsconfig.json must extend ../../tsconfig.base.json');
  expect(existsSync(join(dir, 'tsup.config.ts')), 'tsup.config.ts is missing');
  const readme = existsSync(join(dir, 'README.md')) ? readFileSync(join(dir, 'README.md'), 'utf8') : '';
  expect(/npm install|pnpm add/.test(readme) && readme.includes('```ts'), 'README.md needs an install line and a TypeScript example');
}

function run(command, args, cwd) {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

for (const entry of manifests) checkScaffold(entry);

// publint on each package (it reads the built dist).
for (const { dir, manifest } of manifests) {
  checks++;
  try {
    const output = run(join(root, 'node_modules/.bin/publint'), ['--strict'], dir);
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

for (const { manifest } of manifests) {
  const name = manifest.name;
  const esm = `import * as m from '${name}'; if (Object.keys(m).length === 0) throw new Error('no exports'); console.log(Object.keys(m).length);`;
  const cjs = `const m = require('${name}'); if (Object.keys(m).length === 0) throw new Error('no exports'); console.log(Object.keys(m).length);`;
  for (const [kind, file, code] of [['ESM', 'check.mjs', esm], ['CJS', 'check.cjs', cjs]]) {
    checks++;
    writeFileSync(join(scratch, file), code);
    try {
      const count = run('node', [file], scratch).trim();
      console.log(`ok  ${name} (${kind}): ${count} exports from the packed tarball`);
    } catch (error) {
      fail(name, `${kind} import of the packed tarball failed:\n${error.stderr ?? error.message}`);
    }
  }
  const types = manifest.exports?.['.']?.import?.types;
  checks++;
  if (types && !existsSync(join(modules, name, types))) fail(name, `types file ${types} is missing from the tarball`);
}
rmSync(scratch, { recursive: true, force: true });

if (problems.length) {
  console.error(`\n${problems.length} package problem(s):\n- ${problems.join('\n- ')}`);
  console.log(`packages: ${checks - problems.length} passed, ${problems.length} failed`);
  process.exit(1);
}
console.log(`packages: ${checks} passed, 0 failed`);
