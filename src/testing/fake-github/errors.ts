/** GitHub-shaped error replies: `{ message, documentation_url, status }` with the matching HTTP status. */

const DOCS = "https://docs.github.com/rest";

/** One entry of a 422's `errors` array. */
export interface ValidationErrorItem {
  resource?: string;
  field?: string;
  code: string;
  message?: string;
}

/** The body GitHub answers errors with. */
export interface GitHubErrorBody {
  message: string;
  documentation_url: string;
  status: string;
  errors?: ValidationErrorItem[];
}

/**
 * Thrown inside the fake's route handlers; the server's error handler turns it into GitHub's
 * error body. Never seen by users of the fake except as an HTTP answer.
 */
export class GitHubApiError extends Error {
  readonly statusCode: number;
  readonly documentationUrl: string;
  readonly errors: ValidationErrorItem[] | undefined;
  readonly headers: Record<string, string>;

  constructor(
    statusCode: number,
    message: string,
    options: { documentationUrl?: string; errors?: ValidationErrorItem[]; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = "GitHubApiError";
    this.statusCode = statusCode;
    this.documentationUrl = options.documentationUrl ?? DOCS;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
  }

  toJSON(): GitHubErrorBody {
    const body: GitHubErrorBody = { message: this.message, documentation_url: this.documentationUrl, status: String(this.statusCode) };
    if (this.errors) body.errors = this.errors;
    return body;
  }
}

/** 404 `Not Found`: also what GitHub answers when a token may not see a repository. */
export function notFound(documentationUrl = DOCS): GitHubApiError {
  return new GitHubApiError(404, "Not Found", { documentationUrl });
}

/** 401 `Bad credentials`: unknown, revoked or expired token. */
export function badCredentials(): GitHubApiError {
  return new GitHubApiError(401, "Bad credentials");
}

/** 403 `Resource not accessible by integration`: the token lacks the permission. */
export function notAccessible(documentationUrl = DOCS): GitHubApiError {
  return new GitHubApiError(403, "Resource not accessible by integration", { documentationUrl });
}

/** 422 `Validation Failed` with GitHub's `errors` array. */
export function validationFailed(errors: ValidationErrorItem[], documentationUrl = DOCS): GitHubApiError {
  return new GitHubApiError(422, "Validation Failed", { documentationUrl, errors });
}

/** 422 `Invalid request.\n\n"field" wasn't supplied.` as GitHub words a missing required field. */
export function missingField(field: string, documentationUrl = DOCS): GitHubApiError {
  return new GitHubApiError(422, `Invalid request.\n\n"${field}" wasn't supplied.`, { documentationUrl });
}
