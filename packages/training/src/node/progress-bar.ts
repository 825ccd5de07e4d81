import cliProgress from 'cli-progress';
import type { BatchEndEvent, Callback, EpochBeginEvent, EpochEndEvent, TrainEndEvent } from '../callbacks/callback.js';
import type { Logs } from '../types.js';

/** Where the progress goes: a TTY gets a redrawn bar, anything else plain lines. */
export interface ProgressOutput {
  /** Write text as it is (lines end with a newline; a TTY redraw starts with a carriage return). */
  write(text: string): unknown;
  isTTY?: boolean;
}

/** Options of {@link ProgressBar}. */
export interface ProgressBarOptions {
  /** Default `process.stdout`. */
  output?: ProgressOutput;
  /** Without a TTY, also print a line at most this often within an epoch (default 10 s; epoch ends always print). */
  lineIntervalSeconds?: number;
}

/** `loss 0.4123 · accuracy 0.8571` from logs. */
export function formatLogs(logs: Logs): string {
  return Object.entries(logs).map(([key, value]) => `${key} ${formatNumber(value)}`).join(' · ');
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return Math.abs(value) >= 1000 || (value !== 0 && Math.abs(value) < 1e-3) ? value.toExponential(3) : value.toFixed(4);
}

/** `1m 05s` */
function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const whole = Math.round(seconds);
  return whole >= 60 ? `${Math.floor(whole / 60)}m ${String(whole % 60).padStart(2, '0')}s` : `${whole}s`;
}

/**
 * A terminal progress bar (cli-progress) per epoch: epoch, step, running loss and metrics, throughput
 * and ETA. When the output is not a TTY (CI logs, pipes), it prints plain lines instead.
 *
 * @example
 * ```ts
 * await trainer.fit(data, { epochs: 5, callbacks: [new ProgressBar()] });
 * // epoch 2/5 |████████░░░░| 281/469 · loss 0.4123 · accuracy 0.8571 · 10512 examples/s · ETA 2s
 * ```
 */
export class ProgressBar implements Callback {
  private readonly output: ProgressOutput;
  private readonly lineIntervalSeconds: number;
  private bar: cliProgress.SingleBar | null = null;
  private lastLineAt = 0;

  constructor(options: ProgressBarOptions = {}) {
    this.output = options.output ?? process.stdout;
    this.lineIntervalSeconds = options.lineIntervalSeconds ?? 10;
  }

  onEpochBegin({ progress }: EpochBeginEvent): void {
    this.lastLineAt = 0;
    if (!this.output.isTTY) return;
    this.bar = new cliProgress.SingleBar({
      format: `epoch ${progress.epoch + 1}/${progress.epochs} |{bar}| {value}/{total} · {logs} · {rate} · ETA {eta_formatted}`,
      stream: this.output as NodeJS.WritableStream,
      hideCursor: true,
      barsize: 24,
      etaBuffer: 50,
    }, cliProgress.Presets.shades_classic);
    this.bar.start(progress.stepsPerEpoch ?? 0, progress.stepInEpoch, { logs: '', rate: '' });
  }

  onBatchEnd({ progress, logs, examplesInEpoch, epochSeconds }: BatchEndEvent): void {
    const rate = examplesInEpoch > 0 ? `${Math.round(examplesInEpoch / epochSeconds)} examples/s` : `${(progress.stepInEpoch / epochSeconds).toFixed(1)} steps/s`;
    if (this.bar) {
      if (!progress.stepsPerEpoch) this.bar.setTotal(progress.stepInEpoch);
      this.bar.update(progress.stepInEpoch, { logs: formatLogs(logs), rate });
      return;
    }
    if (epochSeconds - this.lastLineAt < this.lineIntervalSeconds) return;
    this.lastLineAt = epochSeconds;
    const total = progress.stepsPerEpoch;
    const eta = total ? ` · ETA ${formatSeconds((epochSeconds / progress.stepInEpoch) * (total - progress.stepInEpoch))}` : '';
    this.output.write(`epoch ${progress.epoch + 1}/${progress.epochs} · step ${progress.stepInEpoch}${total ? `/${total}` : ''} · ${formatLogs(logs)} · ${rate}${eta}\n`);
  }

  onEpochEnd({ progress, logs, epochSeconds }: EpochEndEvent): void {
    this.bar?.stop();
    this.bar = null;
    this.output.write(`epoch ${progress.epoch + 1}/${progress.epochs} done in ${formatSeconds(epochSeconds)} · ${formatLogs(logs)}\n`);
  }

  onTrainEnd({ trainer }: TrainEndEvent): void {
    this.bar?.stop();
    this.bar = null;
    if (trainer.stopReason) this.output.write(`training stopped: ${trainer.stopReason}\n`);
  }
}
