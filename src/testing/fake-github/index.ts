export { createFakeGitHub } from "./fake.js";
export type {
  AppManifest,
  FakeAnnotation,
  FakeCheckConclusion,
  FakeClock,
  FakeCommit,
  FakeGitHub,
  FakeGitHubActors,
  FakeGitHubOptions,
  FakeGitHubState,
  FakeInstallation,
  FakeRepo,
  FakeRepoPermission,
  FakeReviewComment,
  IssuedToken,
  Permissions,
  RequestLogEntry,
} from "./types.js";
