export { createFakeGitHub } from "./fake.js";
export type {
  AppManifest,
  FakeClock,
  FakeGitHub,
  FakeGitHubOptions,
  FakeGitHubState,
  FakeInstallation,
  FakeRepo,
  IssuedToken,
  Permissions,
  RequestLogEntry,
} from "./types.js";
