/**
 * Vitest global setup: give headless-gl an X server. On Linux with DISPLAY unset and Xvfb
 * installed, start a private Xvfb (it picks a free display number and reports it on fd 3) and
 * export DISPLAY to the test workers; stop it at the end. Elsewhere it does nothing: headless-gl
 * needs no X server on macOS/Windows, and without Xvfb the headless-gl tests say they were skipped.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

function hasXvfb(): boolean {
  return spawnSync('sh', ['-c', 'command -v Xvfb'], { stdio: 'ignore' }).status === 0;
}

function startXvfb(): Promise<{ server: ChildProcess; display: string }> {
  return new Promise((resolve, reject) => {
    const server = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '64x64x24', '-nolisten', 'tcp'], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    });
    let reported = '';
    let errors = '';
    const timer = setTimeout(() => {
      server.kill();
      reject(new Error(`Xvfb did not report a display within 10 s: ${errors.trim()}`));
    }, 10_000);
    server.stderr!.on('data', (chunk: Buffer) => { errors += chunk.toString(); });
    server.stdio[3]!.on('data', (chunk: Buffer) => {
      reported += chunk.toString();
      if (!reported.includes('\n')) return;
      clearTimeout(timer);
      resolve({ server, display: `:${reported.trim()}` });
    });
    server.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    server.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Xvfb exited with code ${code}: ${errors.trim()}`));
    });
  });
}

export default async function setup(): Promise<(() => void) | undefined> {
  if (process.platform !== 'linux' || process.env.DISPLAY || !hasXvfb()) return undefined;
  try {
    const { server, display } = await startXvfb();
    process.env.DISPLAY = display;
    server.removeAllListeners('exit');
    return () => {
      server.kill();
      delete process.env.DISPLAY;
    };
  } catch (error) {
    console.warn(`headless-gl tests: could not start Xvfb (${error instanceof Error ? error.message : String(error)})`);
    return undefined;
  }
}
