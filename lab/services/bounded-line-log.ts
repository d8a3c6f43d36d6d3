/**
 * A LineLog of bounded size for the logs a run keeps (services and coturn output go into the
 * result of a failed run): lines cut to a maximum length, the first lines (start-up) and the
 * latest kept, and one marker line counting what was dropped between them.
 */
import { LineLog } from '../util/line-log.js';
import { monotonicMs } from '../util/clock.js';
import { MAX_LOG_LINE, boundedText } from './log-line.js';

export class BoundedLineLog extends LineLog {
  private dropped = 0;

  constructor(
    private maxLines = 4000,
    private keepHead = 200,
    private maxLineLength = MAX_LOG_LINE,
  ) {
    super();
  }

  override add(line: string): void {
    super.add(boundedText(line, this.maxLineLength));
    if (this.lines.length <= this.maxLines) return;
    // The oldest line after the head goes; the first time, two go and a marker takes their place.
    const first = this.dropped === 0;
    this.lines.splice(first ? this.keepHead : this.keepHead + 1, first ? 2 : 1);
    this.dropped += first ? 2 : 1;
    const marker = { t: monotonicMs(), line: `… ${this.dropped} line(s) dropped here (the log keeps the first ${this.keepHead} and the last ${this.maxLines - this.keepHead - 1}) …` };
    if (first) this.lines.splice(this.keepHead, 0, marker);
    else this.lines[this.keepHead] = marker;
  }
}
