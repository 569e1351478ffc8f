/**
 * Permission-gated web APIs, as Electron gates them (api/session, `setPermissionCheckHandler` and
 * `setPermissionRequestHandler`): before a page writes to or reads the clipboard, Chromium asks the
 * session's check handler with the permission (`clipboard-sanitized-write`, `clipboard-read`) and
 * the requesting frame's origin; without a handler, Electron grants it. The page's clipboard
 * methods are wrapped to ask main the same question, and reject with `NotAllowedError` when the
 * answer is no, as Chromium's do.
 */
import type { Page } from 'playwright-core';
import { originOf, appUrl } from './protocol.ts';
import { session } from './platform.ts';
import type { WebContents } from './windows.ts';

type CheckHandler = (contents: WebContents, permission: string, requestingOrigin: string, details: { requestingUrl: string; isMainFrame: boolean }) => boolean;

/** What the session answers for a permission asked from a page URL. */
export function sessionAllows(contents: WebContents, permission: string, pageUrl: string): boolean {
  const handler = session.defaultSession.permissionCheckHandler as CheckHandler | null | undefined;
  if (!handler) return true;
  const url = appUrl(pageUrl);
  return handler(contents, permission, originOf(url), { requestingUrl: url, isMainFrame: true });
}

/** Page side: the clipboard's methods ask main first. */
function gateClipboard(): void {
  const ask = (globalThis as unknown as { __electronDoublePermission: (permission: string) => Promise<boolean> }).__electronDoublePermission;
  const clipboard = navigator.clipboard;
  const gate =
    <A extends unknown[], R>(permission: string, method: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      if (!(await ask(permission))) throw new DOMException(`Permission ${permission} denied by the session's permission check handler.`, 'NotAllowedError');
      return await method(...args);
    };
  Object.assign(clipboard, {
    writeText: gate('clipboard-sanitized-write', clipboard.writeText.bind(clipboard)),
    write: gate('clipboard-sanitized-write', clipboard.write.bind(clipboard)),
    readText: gate('clipboard-read', clipboard.readText.bind(clipboard)),
    read: gate('clipboard-read', clipboard.read.bind(clipboard)),
  });
}

export async function gatePermissions(page: Page, contents: WebContents): Promise<void> {
  // Chromium itself grants what the session allowed; the gate above is where the answer comes from.
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.exposeBinding('__electronDoublePermission', (source, permission: string) => sessionAllows(contents, permission, source.frame.url()));
  await page.addInitScript(gateClipboard);
}
