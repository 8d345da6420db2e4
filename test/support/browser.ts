import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';

/** Where the browser suites write a screenshot of every page they visit (git-ignored), for a reviewer to look at. */
const SCREENSHOT_DIR = path.join(__dirname, '..', 'screenshots');

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core's WCAG 2 A/AA and best-practice rules on the page as it is now; the serious and
 * critical findings, as "rule: help (elements)". Injected through the DevTools protocol, which
 * the page's Content-Security-Policy does not govern.
 */
export async function seriousAccessibilityViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    // Runs in the page, whose globals this Node-typed file does not declare.
    const { axe, document } = globalThis as unknown as {
      axe: { run(context: unknown, options: object): Promise<{ violations: AxeViolation[] }> };
      document: unknown;
    };
    const result = await axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] });
    return result.violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

interface PageStorage {
  sessionStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void };
}

/** The dashboard's session entry in the page's sessionStorage (null when signed out). */
export function readSessionEntry(page: Page): Promise<string | null> {
  return page.evaluate(() => (globalThis as unknown as PageStorage).sessionStorage.getItem('heliox.session'));
}

export async function writeSessionEntry(page: Page, value: string): Promise<void> {
  await page.evaluate(
    (entry) => (globalThis as unknown as PageStorage).sessionStorage.setItem('heliox.session', entry),
    value,
  );
}
