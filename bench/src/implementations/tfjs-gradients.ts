// tfjs-core registers no gradients by itself: the @tensorflow/tfjs union package does it, by
// bundling tfjs-core's `dist/register_all_gradients.js` (ES modules with extensionless imports,
// which Node cannot load directly) into its own Node build. We do the same with esbuild instead of
// depending on the union package (which pulls in layers, converter, data, webgl and core-js).
// The bundled copy registers into tfjs' global gradient registry and runs its ops through the
// global engine, exactly as the union package's copy does.
import { createRequire } from 'node:module';
import { runInThisContext } from 'node:vm';
import { build } from 'esbuild';

let registered = false;

/** Register every tfjs gradient (Sum, RealDiv, Conv2D, ...) once per process. */
export async function registerTfjsGradients(): Promise<void> {
  if (registered) return;
  const require = createRequire(import.meta.url);
  const entry = require.resolve('@tensorflow/tfjs-core/dist/register_all_gradients.js');
  const bundled = await build({ entryPoints: [entry], bundle: true, format: 'cjs', platform: 'node', write: false, logLevel: 'error' });
  const source = bundled.outputFiles[0].text;
  const module = { exports: {} };
  const load = runInThisContext(`(function (module, exports, require) {\n${source}\n})`, { filename: `${entry} (bundled)` }) as
    (module: { exports: object }, exports: object, require: NodeJS.Require) => void;
  load(module, module.exports, require);
  registered = true;
}
