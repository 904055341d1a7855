import { MemoryBackend } from "../../src/store/backends/memory/index.js";
import { describeBackend } from "./conformance.js";
import { describeHolds } from "./conformance-holds.js";
import { describePrune } from "./conformance-prune.js";

describeBackend("memory", async () => new MemoryBackend());
describeHolds("memory", async () => new MemoryBackend());
describePrune("memory", async () => new MemoryBackend());
