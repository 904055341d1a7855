import type { Readable } from "node:stream";

/** One ref update a client asked `git receive-pack` for. */
export interface PushCommand {
  ref: string;
  before: string;
  after: string;
}

const COMMAND = /^([0-9a-f]{40}) ([0-9a-f]{40}) (refs\/\S+)$/;

/**
 * Watches a receive-pack request body (without consuming it for anyone else) and resolves with
 * the commands in its pkt-lines before the first flush packet, i.e. before the pack.
 */
export function watchPushCommands(body: Readable): Promise<PushCommand[]> {
  return new Promise((resolve) => {
    let buf = Buffer.alloc(0);
    const commands: PushCommand[] = [];
    const stop = () => {
      body.off("data", onData).off("end", stop).off("error", stop);
      resolve(commands);
    };
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 4) {
        const len = Number.parseInt(buf.subarray(0, 4).toString("latin1"), 16);
        if (Number.isNaN(len) || len === 0) return stop(); // a flush packet (or garbage): the commands are over
        if (len < 4 || buf.length < len) return len < 4 ? stop() : undefined;
        const line = buf.subarray(4, len).toString("utf8").split("\0")[0]?.replace(/\n$/, "") ?? "";
        const m = COMMAND.exec(line);
        if (m?.[1] && m[2] && m[3]) commands.push({ before: m[1], after: m[2], ref: m[3] });
        buf = buf.subarray(len);
      }
    };
    body.on("data", onData).on("end", stop).on("error", stop);
  });
}
