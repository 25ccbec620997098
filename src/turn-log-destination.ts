/**
 * Where log lines go: a file descriptor (stdout by default), written once per
 * event-loop turn with every line of that turn, instead of one write(2) per
 * line. Under load one turn answers dozens of requests, so their request lines
 * share one system call (docs/performance.md); when idle, a line is written at
 * the end of the turn that logged it, so `tail -f` stays live. Lines still
 * buffered when the process exits are written synchronously on 'exit'.
 */
import { writeSync } from 'node:fs';

export class TurnLogDestination {
  private lines: string[] = [];
  private scheduled = false;
  private readonly flushNow = (): void => this.flush();

  constructor(private readonly fd: number = 1) {
    process.once('exit', this.flushNow);
  }

  /** pino's destination contract: one serialized line, newline included. */
  write(line: string): boolean {
    this.lines.push(line);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushNow);
    }
    return true;
  }

  flush(): void {
    this.scheduled = false;
    if (this.lines.length === 0) return;
    let text = this.lines.length === 1 ? this.lines[0]! : this.lines.join('');
    this.lines = [];
    // A short write (a pipe that is nearly full) writes the rest; EAGAIN on a
    // non-blocking pipe is retried, the way pino's own sync destination does.
    while (text.length > 0) {
      try {
        const written = writeSync(this.fd, text);
        text = Buffer.byteLength(text) === written ? '' : Buffer.from(text).subarray(written).toString();
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      }
    }
  }
}
