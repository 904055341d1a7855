/** Progress of a long command on stderr: a bar redrawn in place on a terminal, one count line otherwise. */
export interface Progress {
  start(total: number): void;
  step(): void;
  end(): void;
}

/**
 * A progress bar (`[########----------] 4/10 label`) on a TTY `stream`; elsewhere (a pipe, a
 * log file) a single `label: N` line when it starts, so logs stay readable.
 *
 * @example
 * ```ts
 * const p = progress("retrying failed tasks"); p.start(10); for (…) { …; p.step(); } p.end();
 * ```
 */
export function progress(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  let total = 0;
  let done = 0;
  const tty = stream.isTTY === true;
  const draw = () => {
    const width = 24;
    const filled = total === 0 ? width : Math.round((done / total) * width);
    stream.write(`\r[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total} ${label}`);
  };
  return {
    start(n) {
      total = n;
      if (tty) draw();
      else stream.write(`${label}: ${n}\n`);
    },
    step() {
      done++;
      if (tty) draw();
    },
    end() {
      if (tty) stream.write("\n");
    },
  };
}
