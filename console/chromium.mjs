// Launches Debian's Chromium (`apt-get install chromium`) headless through playwright-core, for the
// console's browser tests and screenshots. Nothing is fetched from outside. Playwright gives each
// launch a fresh --user-data-dir of its own (in the temp dir, removed at close): it refuses one
// passed in args.
import { chromium } from "playwright-core";

export const CHROMIUM_PATH = process.env.HOOKYARD_CHROMIUM ?? "/usr/bin/chromium";

/**
 * Starts Chromium; `close()` ends it (and Playwright removes its profile).
 * @returns {Promise<{ browser: import("playwright-core").Browser, close: () => Promise<void> }>}
 */
export async function launchChromium() {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync",
    ],
  });
  return {
    browser,
    async close() {
      await browser.close();
    },
  };
}
