#!/usr/bin/env node
// Build the optional `gl` package (headless-gl) that @dendrite/backend-gpujs uses for its
// 'headlessgl' mode. The workspace does not build it on install (pnpm-workspace.yaml
// `allowBuilds: gl: false`): its install script first fetches a prebuilt binary from GitHub,
// which an offline machine cannot reach. This compiles it from the sources in the package
// (ANGLE included; about a minute on two cores) against the running Node's own headers, so it
// needs no network: only a C++ toolchain, python3 and the X11 headers (Debian: libx11-dev
// libxi-dev libxext-dev). On Linux a context also needs an X server (CI uses Xvfb).
//
//   node scripts/build-headless-gl.mjs          build unless a loadable build is there
//   node scripts/build-headless-gl.mjs --force  rebuild
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const fromBackend = createRequire(join(root, 'packages/backend-gpujs/package.json'));

function fail(message) {
  console.error(`build-headless-gl: ${message}`);
  process.exit(1);
}

let glDir;
try {
  glDir = dirname(fromBackend.resolve('gl/package.json'));
} catch {
  fail("the optional 'gl' package is not installed under packages/backend-gpujs (run pnpm install first)");
}
const { version } = fromBackend('gl/package.json');
const binary = join(glDir, 'build', 'Release', 'webgl.node');

function loads() {
  const result = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(binary)})`], { encoding: 'utf8' });
  return result.status === 0;
}

if (!process.argv.includes('--force') && existsSync(binary) && loads()) {
  console.log(`build-headless-gl: gl ${version} is already built (${binary})`);
  process.exit(0);
}

// The running Node's headers: official tarballs and the distro packages install include/node
// beside bin/node. Without them node-gyp would download headers from nodejs.org.
const prefix = resolve(dirname(process.execPath), '..');
const env = { ...process.env };
if (existsSync(join(prefix, 'include', 'node', 'node.h'))) env.npm_config_nodedir = prefix;
else console.warn(`build-headless-gl: no Node headers under ${prefix}/include/node; node-gyp will try to download them`);

let nodeGyp;
try {
  nodeGyp = createRequire(join(glDir, 'package.json')).resolve('node-gyp/bin/node-gyp.js');
} catch {
  fail(`node-gyp (a dependency of gl) is missing beside ${glDir}`);
}

const jobs = String(Math.max(1, availableParallelism()));
console.log(`build-headless-gl: compiling gl ${version} in ${glDir} (${jobs} jobs)…`);
const started = Date.now();
const build = spawnSync(process.execPath, [nodeGyp, 'rebuild', '-j', jobs], { cwd: glDir, env, encoding: 'utf8' });
if (build.status !== 0) {
  const output = `${build.stdout}\n${build.stderr}`.split('\n').filter((line) => !line.startsWith('gyp info')).slice(-25).join('\n');
  fail(`node-gyp failed (exit ${build.status}). Missing X11 headers? On Debian: apt-get install libx11-dev libxi-dev libxext-dev\n${output}`);
}
if (!loads()) fail(`built ${binary}, but Node cannot load it`);
console.log(`build-headless-gl: built gl ${version} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
