/** Where progress goes: a stream like `process.stderr`. */
export interface ProgressStream {
  /** Write text as it is. */
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Reports download progress: a redrawn bar on a terminal, a line at start and end otherwise (logs, CI). */
export class ProgressBar {
  private received = 0;
  private lastDraw = 0;

  constructor(
    private readonly stream: ProgressStream | undefined,
    private readonly label: string,
    private readonly totalBytes: number | undefined,
  ) {
    if (stream !== undefined && !stream.isTTY) {
      stream.write(`Downloading ${label}${totalBytes === undefined ? '' : ` (${formatBytes(totalBytes)})`}\n`);
    }
  }

  /** Adds newly received bytes; redraws at most ten times a second. */
  advance(bytes: number): void {
    this.received += bytes;
    if (this.stream?.isTTY !== true) return;
    const now = Date.now();
    if (now - this.lastDraw < 100) return;
    this.lastDraw = now;
    this.draw();
  }

  /** Final line: done, or why not. */
  finish(failure?: string): void {
    if (this.stream === undefined) return;
    if (this.stream.isTTY) {
      this.draw();
      this.stream.write(failure === undefined ? '\n' : ` failed: ${failure}\n`);
    } else {
      this.stream.write(failure === undefined ? `Downloaded ${this.label} (${formatBytes(this.received)})\n` : `Download of ${this.label} failed: ${failure}\n`);
    }
  }

  private draw(): void {
    const stream = this.stream!;
    const total = this.totalBytes;
    const amount = total === undefined ? formatBytes(this.received) : `${formatBytes(this.received)}/${formatBytes(total)}`;
    if (total === undefined || total === 0) {
      stream.write(`\r${this.label} ${amount}`);
      return;
    }
    const fraction = Math.min(1, this.received / total);
    const width = Math.max(10, Math.min(30, (stream.columns ?? 80) - this.label.length - 30));
    const filled = Math.round(fraction * width);
    const percent = `${Math.floor(fraction * 100)}`.padStart(3);
    stream.write(`\r${this.label} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${percent}% ${amount}`);
  }
}

/** `1.5 MB`-style size. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
