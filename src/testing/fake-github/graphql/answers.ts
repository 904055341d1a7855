/** One GraphQL request the fake received, as `fake.graphql.queries` lists it. */
export interface GraphQLCall {
  query: string;
  variables: Record<string, unknown>;
  operationName: string | undefined;
  installationId: number | undefined;
  /** `configured`: a `fake.graphql.answer(…)` answered it; `state`: the fake's own schema did (data, errors, or both). */
  answeredBy: "configured" | "state";
  /** When, by the fake's clock. */
  at: Date;
}

/** What a request is matched with: a text the query contains (whitespace-insensitive) or its operation name, a RegExp over the query, or a predicate. */
export type GraphQLMatcher = string | RegExp | ((call: Pick<GraphQLCall, "query" | "variables" | "operationName">) => boolean);

/** The `data` to answer with, or a function of the request's variables making it. */
export type GraphQLData = Record<string, unknown> | ((variables: Record<string, unknown>, call: Pick<GraphQLCall, "query" | "operationName">) => Record<string, unknown>);

/** `fake.graphql`: the queries received, and answers a test configures. */
export interface FakeGraphQL {
  /** Every request to `POST /graphql`, oldest first. */
  readonly queries: readonly GraphQLCall[];
  /**
   * Answers the requests `matcher` matches with `{ data }` (the newest matching answer wins; with
   * `times`, it is used that many times only). Requests no answer matches are answered by the
   * fake's own schema (`viewer`, `repository`, `node`), or with GraphQL `errors`.
   */
  answer(matcher: GraphQLMatcher, data: GraphQLData, options?: { times?: number }): void;
}

const squash = (s: string) => s.replace(/\s+/g, " ").trim();

interface Answer {
  matcher: GraphQLMatcher;
  data: GraphQLData;
  left: number;
}

/** The test-configured answers and the log behind `fake.graphql`. */
export class GraphQLAnswers implements FakeGraphQL {
  readonly queries: GraphQLCall[] = [];
  private readonly answers: Answer[] = [];

  answer(matcher: GraphQLMatcher, data: GraphQLData, options: { times?: number } = {}): void {
    this.answers.push({ matcher, data, left: options.times ?? Infinity });
  }

  /** The `data` a configured answer gives this request (and counts the use), if one matches. */
  take(call: Pick<GraphQLCall, "query" | "variables" | "operationName">): Record<string, unknown> | undefined {
    for (let i = this.answers.length - 1; i >= 0; i--) {
      const a = this.answers[i];
      if (!a || a.left <= 0 || !matches(a.matcher, call)) continue;
      a.left--;
      return typeof a.data === "function" ? a.data(call.variables, call) : a.data;
    }
    return undefined;
  }
}

function matches(m: GraphQLMatcher, call: Pick<GraphQLCall, "query" | "variables" | "operationName">): boolean {
  if (typeof m === "function") return m(call);
  if (m instanceof RegExp) return m.test(call.query);
  return call.operationName === m || squash(call.query).includes(squash(m));
}
