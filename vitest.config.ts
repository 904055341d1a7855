import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    // two files at a time: most files wait on processes, sockets and real stores more than on the CPU
    // (vitest's default on a 2-core machine is one worker, which ran the suite in 11-12 minutes)
    maxWorkers: 2,
  },
});
