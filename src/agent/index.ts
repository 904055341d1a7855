/** `hookyard/agent`: the agent workflow (a labelled issue → an agent run → a pull request; failed CI and reviews go back to the agent). */
export { agentWorkflow, type AgentWorkflow } from "./workflow.js";
export { agentCommandOf } from "./triggers.js";
export type { AgentHost } from "./host.js";
export { resolveAgentSettings, parseCommand, withRepoConfig, type AgentWorkflowOptions, type AgentSettings, type RepoAgentConfig } from "./options.js";
export { AgentRuns, RUN_KIND, branchFor, issueOfBranch, type AgentRun, type AgentStage, type RunEvent } from "./runs.js";
export type { AgentTask, AgentMode } from "./task/task-file.js";
export type { AgentResult } from "./task/result.js";
export { sweepStaleWorkspaces } from "./workspace.js";
