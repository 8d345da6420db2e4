import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's Chromium, driven by playwright-core: for the dashboard's browser tests and its
 * benchmark row. Without one they fail saying how to get it (they never skip).
 */

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];

const CHROMIUM_MISSING =
  'No Chromium found (looked for $CHROMIUM_PATH, /usr/bin/chromium, /usr/bin/chromium-browser). The dashboard ' +
  "needs Debian's package to be tested: `apt-get install -y chromium` (as root), or set CHROMIUM_PATH to a Chromium binary.";

function chromiumPath(): string {
  const found = CANDIDATES.find((candidate): candidate is string => !!candidate && existsSync(candidate));
  if (!found) throw new Error(CHROMIUM_MISSING);
  return found;
}

/**
 * A headless Chromium with a fresh profile (playwright makes a temp one per launch). The flags
 * keep it off the network: without the background-networking ones it keeps trying to reach
 * Google's update, sync and field-trial services.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
