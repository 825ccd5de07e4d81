/**
 * Shared by the Chromium tests: bundle a page script with esbuild, serve it (and any extra
 * routes) on 127.0.0.1, and open it in headless Chromium with SwiftShader's WebGL2 and WebGPU.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { sourceEntries } from '../../../vitest.sources.js';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Whether the Chromium binary is here; warns (once per caller) when it is not. */
export function chromiumAvailable(what: string): boolean {
  const available = existsSync(CHROMIUM);
  if (!available) console.warn(`Skipping ${what}: ${CHROMIUM} is absent (apt-get install -y chromium).`);
  return available;
}

/** A served page in a running browser; `close` stops both. */
export interface OpenPage {
  page: Page;
  pageErrors: string[];
  close(): Promise<void>;
}

/** Bundle @dendrite/* from their sources, as the tests resolve them (nothing needs building first). */
const workspaceSources: Plugin = {
  name: 'dendrite-workspace-sources',
  setup(plugin) {
    plugin.onResolve({ filter: /^@dendrite\// }, (args) => {
      const path = sourceEntries[args.path];
      return path ? { path } : undefined;
    });
  },
};

/** Bytes (or text) served at a path, besides the page and its script. */
export type Routes = Record<string, Uint8Array | string>;

/** Bundle `entry` (a file path or URL), serve it with `routes`, and open it in headless Chromium. */
export async function openPage(entry: string | URL, routes: Routes = {}): Promise<OpenPage> {
  const bundle = await build({
    entryPoints: [entry instanceof URL ? fileURLToPath(entry) : entry],
    bundle: true, write: false, format: 'iife', platform: 'browser', target: 'es2022', logLevel: 'silent',
    plugins: [workspaceSources],
  });
  const script = bundle.outputFiles[0].text;
  const server: Server = createServer((request, response) => {
    const body = request.url ? routes[request.url] : undefined;
    if (request.url === '/page.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    } else if (body !== undefined) {
      response.writeHead(200, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/octet-stream' }).end(body);
    } else {
      response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><meta charset="utf-8"><script src="/page.js"></script>');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let browser: Browser | null = null;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--disable-background-networking',
        // SwiftShader also gives headless Chromium a WebGPU adapter, so the webgpu mode is exercised too.
        '--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'],
    });
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`http://127.0.0.1:${port}/`);
    const opened = browser;
    return {
      page,
      pageErrors,
      async close() {
        await opened.close();
        await new Promise((resolve) => server.close(resolve));
      },
    };
  } catch (error) {
    await browser?.close();
    await new Promise((resolve) => server.close(resolve));
    throw error;
  }
}
