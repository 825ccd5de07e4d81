/**
 * Serves a bundled page on 127.0.0.1 twice — at /isolated/ with the COOP/COEP headers that make
 * a page cross-origin isolated (SharedArrayBuffer, so wasm threads), and at /plain/ without them —
 * and opens pages in headless Chromium. Never downloads a browser: it uses Debian's /usr/bin/chromium.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Whether the Chromium binary is here; warns when it is not. */
export function chromiumAvailable(what: string): boolean {
  const available = existsSync(CHROMIUM);
  if (!available) console.warn(`Skipping ${what}: ${CHROMIUM} is absent (apt-get install -y chromium).`);
  return available;
}

/** Headers that make a document cross-origin isolated. */
const ISOLATION_HEADERS = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
};

/** A running server and browser; `open` loads the page isolated or not, `close` stops both. */
export interface PageHost {
  open(isolated: boolean): Promise<{ page: Page; pageErrors: string[] }>;
  close(): Promise<void>;
}

/** Bundle `entry` with esbuild, serve it, and launch headless Chromium. */
export async function hostPage(entry: URL): Promise<PageHost> {
  const bundle = await build({
    entryPoints: [fileURLToPath(entry)], bundle: true, write: false, format: 'iife', platform: 'browser', target: 'es2022', logLevel: 'silent',
  });
  const script = bundle.outputFiles[0].text;
  const html = '<!doctype html><meta charset="utf-8"><script src="page.js"></script>';
  const server: Server = createServer((request, response) => {
    const path = request.url ?? '/';
    const isolated = path.startsWith('/isolated/');
    const headers = isolated ? { ...ISOLATION_HEADERS } : {};
    if (path.endsWith('/page.js')) response.writeHead(200, { ...headers, 'content-type': 'text/javascript' }).end(script);
    else if (path === '/isolated/' || path === '/plain/') response.writeHead(200, { ...headers, 'content-type': 'text/html' }).end(html);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const stopServer = () => new Promise((resolve) => server.close(resolve));
  let browser: Browser;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--disable-background-networking'],
    });
  } catch (error) {
    await stopServer();
    throw error;
  }
  return {
    async open(isolated) {
      const page = await browser.newPage();
      const pageErrors: string[] = [];
      page.on('pageerror', (error) => pageErrors.push(error.message));
      await page.goto(`http://127.0.0.1:${port}/${isolated ? 'isolated' : 'plain'}/`);
      return { page, pageErrors };
    },
    async close() {
      await browser.close();
      await stopServer();
    },
  };
}
