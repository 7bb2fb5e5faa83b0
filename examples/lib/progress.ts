/**
 * Training progress: a live bar (loss, steps/s) on a terminal; on a pipe (tests, CI, `pnpm
 * examples`) a plain line about every tenth of the run, so logs stay short and the loss is readable.
 */
import cliProgress from 'cli-progress';
import { formatNumber } from './result.js';

/** Progress of one training run. */
export class Progress {
  private readonly started = performance.now();
  private readonly bar: cliProgress.SingleBar | undefined;
  private readonly every: number;
  private lastLoss = Number.NaN;

  /** Starts a run of `total` steps named `label`; `quantity` names the number each step reports. */
  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly quantity = 'loss',
  ) {
    this.every = Math.max(1, Math.round(total / 10));
    if (process.stderr.isTTY) {
      this.bar = new cliProgress.SingleBar(
        {
          format: `${label} {bar} {value}/{total} | ${quantity} {loss} | {speed} steps/s | {duration_formatted}`,
          barsize: 24,
          hideCursor: true,
          clearOnComplete: false,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(total, 0, { loss: '-', speed: '-' });
    }
  }

  /** Steps per second so far. */
  private speed(step: number): number {
    return step / Math.max(1e-9, (performance.now() - this.started) / 1000);
  }

  /** Records that `step` (1-based) finished with training loss (or the run's quantity) `loss`. */
  tick(step: number, loss: number): void {
    this.lastLoss = loss;
    if (this.bar) {
      this.bar.update(step, { loss: formatNumber(loss), speed: formatNumber(this.speed(step)) });
    } else if (step % this.every === 0 || step === this.total || step === 1) {
      console.log(
        `${this.label} step ${step}/${this.total} ${this.quantity} ${formatNumber(loss)} ${formatNumber(this.speed(step))} steps/s`,
      );
    }
  }

  /** Prints a line (an evaluation, say) without breaking the bar. */
  log(line: string): void {
    if (this.bar) process.stderr.write('\r\x1b[K');
    console.log(line);
    if (this.bar) this.bar.render();
  }

  /** Ends the run (early or not); returns the seconds it took. */
  stop(): number {
    this.bar?.stop();
    const seconds = (performance.now() - this.started) / 1000;
    if (!this.bar && Number.isFinite(this.lastLoss)) {
      console.log(
        `${this.label} done in ${seconds.toFixed(1)} s, last ${this.quantity} ${formatNumber(this.lastLoss)}`,
      );
    }
    return seconds;
  }
}
