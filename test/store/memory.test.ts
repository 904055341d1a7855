import { MemoryBackend } from "../../src/store/backends/memory/index.js";
import { describeBackend } from "./conformance.js";

describeBackend("memory", async () => new MemoryBackend());
