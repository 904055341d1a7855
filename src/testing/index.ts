export { signedDelivery, postDelivery, readAnswer, type SignedDelivery, type SignOptions } from "./deliveries.js";
export { findExample, allExamples } from "./examples.js";
export {
  createFakeGitHub,
  type AppManifest, type FakeAnnotation, type FakeCheckConclusion, type FakeClock, type FakeCommit, type FakeGitHub, type FakeGitHubActors,
  type FakeGitHubOptions, type FakeGitHubState, type FakeInstallation, type FakeRepo, type FakeRepoPermission, type FakeReviewComment,
  type IssuedToken, type Permissions, type RequestLogEntry,
  type FakeGraphQL, type GraphQLCall, type GraphQLData, type GraphQLMatcher, type RequestLog, type RequestMatch,
} from "./fake-github/index.js";
export { createTestApp, type TestApp, type TestAppOptions } from "./create-test-app.js";
export type { TestClock } from "./test-clock.js";
export { fakeAgent, parseAgentReport, type FakeAgent, type FakeAgentScript, type FakeAgentStep } from "./fake-agent/index.js";
export { installTestTracing, type SpanLine, type TestTracing } from "./tracing.js";
