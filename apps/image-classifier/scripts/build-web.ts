// Bundles the page (src/web/main.ts) and its training worker (src/web/worker.ts) with esbuild into
// web-dist/, beside index.html and style.css. Run by `pnpm --filter @dendrite/image-classifier build`.
import { bundleWeb } from '../src/web-bundle.js';

await bundleWeb();
