/** Each command's `--help`: what it does, its arguments and every option it takes. */

const SERVER = "  --url URL            the server (default http://127.0.0.1:$PORT, PORT 3000); the token is read from HOOKYARD_API_TOKEN";
const JSON_OPT = "  --json               print the API's answer as JSON";
const PAGE = "  --limit N            page size, 1 to 500 (default 50)\n  --cursor C           the next page, as printed under the table";

export const COMMAND_HELP: Record<string, string> = {
  serve: `usage: hookyard serve [app-module] [--port N] [--host H] [--store URL] [--role all|ingress|worker]

Starts the server (loads .env; store from HOOKYARD_STORE) with the app module.`,
  send: `usage: hookyard send <file.json | event[.action]> [options]

Signs a payload and POSTs it to the webhook route. An event name (issues.labeled, ping) uses a real
example payload from @octokit/webhooks-examples; "issues" alone takes the first example and says
which action that is. A file's event is --event, or its name when that is an event name
(issues.json, issues.labeled.json); another name is refused.
  --event NAME         the event of a payload file
  --action A           the action: picks an event's example, or sets a file payload's "action"
  --url URL            the webhook URL (default http://127.0.0.1:$PORT$WEBHOOK_PATH)
  --secret S           the webhook secret (default the first of WEBHOOK_SECRET)
  --id ID              the X-GitHub-Delivery id (default a new UUID)
  --form               send application/x-www-form-urlencoded (payload=…)
${JSON_OPT}`,
  deliveries: `usage: hookyard deliveries [options]

Lists stored deliveries, newest first.
  --event E --action A --repository owner/name --status accepted|ignored
${PAGE}
${SERVER}
${JSON_OPT}`,
  delivery: `usage: hookyard delivery <delivery-id> [--url URL] [--json]

Shows a delivery: its headers (signatures redacted) and the tasks it started; --json adds the payload.
${SERVER}
${JSON_OPT}`,
  tasks: `usage: hookyard tasks [options]

Lists tasks, newest first, with the delivery each came from (for hookyard replay).
  --state queued|running|retrying|completed|failed|cancelled
  --name N --event E --repository owner/name --delivery ID
${PAGE}
${SERVER}
${JSON_OPT}`,
  task: `usage: hookyard task <task-id> [--url URL] [--json]

Shows a task and its attempt log: each attempt's outcome, times and error, then the last stack.
${SERVER}
${JSON_OPT}`,
  retry: `usage: hookyard retry <task-id> [--url URL] [--json]
       hookyard retry --all-failed [--since DURATION] [--name N] [--url URL] [--json]

Puts a failed or cancelled task back in the queue. --all-failed retries every failed task (of
handler --name, failed within --since, e.g. 1h), with a progress bar on stderr on a terminal.
${SERVER}
${JSON_OPT}`,
  cancel: `usage: hookyard cancel <task-id> [--url URL] [--json]

Cancels a queued, retrying or running task.
${SERVER}
${JSON_OPT}`,
  replay: `usage: hookyard replay <delivery-id> [--url URL] [--json]

Runs a stored delivery's handlers again: one new task per handler matching it now.
${SERVER}
${JSON_OPT}`,
  migrate: `usage: hookyard migrate [--store URL]

Creates or upgrades the store's schema (store from --store, HOOKYARD_STORE or REDIS_URL).`,
  demo: `usage: hookyard demo [--keep] | hookyard demo deliveries [--store URL]

The agent workflow offline, or (deliveries) real deliveries on the embedded store.`,
  redeliver: `usage: hookyard redeliver [--since DURATION] [--dry-run] [--store URL]

Asks GitHub to redeliver deliveries that never arrived (loads .env; APP_ID, PRIVATE_KEY, HOOKYARD_STORE).`,
  setup: `usage: hookyard setup [--url PUBLIC_URL] [--org ORG] [--name NAME] [--env-file .env] [--port N] [--host H]

Creates a GitHub App from a manifest and writes its credentials to .env.`,
};
