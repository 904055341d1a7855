import { MemoryBackend } from "../../src/store/backends/memory/index.js";
import { describeBackend } from "./conformance.js";
import { describePrune } from "./conformance-prune.js";

describeBackend("memory", async () => new MemoryBackend(), { holds: true });
describePrune("memory", async () => new MemoryBackend());
