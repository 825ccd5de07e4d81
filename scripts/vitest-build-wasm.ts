// vitest globalSetup: core's sources import the WebAssembly kernels that its build script
// generates; build them (a no-op when nothing changed) before any test imports core.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const script = fileURLToPath(new URL('../packages/core/scripts/build-wasm.mjs', import.meta.url));
  execFileSync(process.execPath, [script], { stdio: 'inherit' });
}
