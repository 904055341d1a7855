import { MemoryBackend } from "../../src/store/backends/memory/index.js";
import { describeBackend } from "./conformance.js";
import { describeHolds } from "./conformance-holds.js";

describeBackend("memory", async () => new MemoryBackend());
describeHolds("memory", async () => new MemoryBackend());
