/**
 * A progress bar on stderr for long replays (only when stderr is a terminal, or --progress).
 * Redraws at most ten times a second; the reader reports once per buffer refill.
 */

const REDRAW_MS = 100;
const WIDTH = 30;

/** One-line progress display: percent of the current file, and which file of how many. */
export class ProgressBar {
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly files: readonly string[],
  ) {}

  /** Bytes read so far of file `index` whose size is `totalBytes` (-1 when unknown, e.g. a pipe). */
  update(bytesRead: number, totalBytes: number, index: number): void {
    const now = Date.now();
    if (now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    const mb = (n: number): string => `${(n / 1048576).toFixed(1)} MB`;
    const which = this.files.length > 1 ? ` file ${index + 1}/${this.files.length}` : '';
    let line: string;
    if (totalBytes > 0) {
      const frac = Math.min(1, bytesRead / totalBytes);
      const filled = Math.round(frac * WIDTH);
      line = `[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% ${mb(bytesRead)} / ${mb(totalBytes)}${which}`;
    } else {
      line = `${mb(bytesRead)} read${which}`;
    }
    this.stream.write(`\r${line}\x1b[K`);
    this.drawn = true;
  }

  /** Erases the bar so that a message can be printed on a clean line. */
  clear(): void {
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }

  /** Erases the bar at the end of the replay. */
  done(): void {
    this.clear();
  }
}
