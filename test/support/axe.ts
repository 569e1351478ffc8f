/**
 * axe-core in a playwright Page: its source is evaluated through the DevTools protocol (the app's
 * CSP allows no injected <script>), run over the whole document, and only the violations a user is
 * blocked by (serious, critical) are handed back, each with the elements it found.
 */
import { createRequire } from 'node:module';
import fs from 'node:fs';
import type { Page } from 'playwright-core';

const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** One rule broken, with the CSS selectors of the elements that break it. */
export interface AxeViolation {
  rule: string;
  impact: string;
  help: string;
  targets: string[];
}

interface AxeResult {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/**
 * Runs axe-core on what the page shows now. `label-content-name-mismatch` is experimental in axe
 * and off by default; it is on here because a button that reads one thing and is named another
 * cannot be spoken to by voice control users.
 */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(AXE_SOURCE);
  const results = await page.evaluate<AxeResult[]>(`window.axe.run(document, {
    resultTypes: ['violations'],
    rules: { 'label-content-name-mismatch': { enabled: true } },
  }).then((results) => results.violations)`);
  return results
    .filter((result) => result.impact === 'serious' || result.impact === 'critical')
    .map((result) => ({ rule: result.id, impact: result.impact!, help: result.help, targets: result.nodes.map((node) => node.target.map(String).join(' ')) }));
}
