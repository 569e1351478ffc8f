/**
 * A window's renderer as a real Chromium page: one Debian Chromium per app process (fresh
 * profile, no background traffic) reached over CDP, so the test process can attach to the very
 * same page. Requests for a handled scheme go through the app's `protocol.handle` handler; the
 * preload runs in preload-sandbox.ts and what it exposes is bridged into the page's main world
 * (exposeBinding + init script). Calls through the bridge are asynchronous, so a bridged function
 * returns a function that is also a thenable: awaiting gives its result, calling it calls the
 * function it returned (the shape of an `on(…)` that returns its unsubscribe).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Frame, type Route } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../../support/chromium-binary.ts';
import { WebFrameMain } from './frames.ts';
import { ipcMain } from './ipc.ts';
import { gatePermissions } from './permissions.ts';
import { doubleOptions } from './options.ts';
import { runPreload, type PreloadWorld } from './preload-sandbox.ts';
import { appUrl, serveThroughHandler, standInUrl } from './protocol.ts';
import type { WebContents } from './windows.ts';

let browser: Promise<{ browser: Browser; endpoint: string }> | undefined;
let chromiumProcess: ChildProcess | undefined;

/** The CDP endpoint of this app's Chromium once it runs (the harness attaches to it). */
export let cdpEndpoint: string | undefined;

function launchBrowser(): Promise<{ browser: Browser; endpoint: string }> {
  const profile = fs.mkdtempSync(path.join(doubleOptions.tempDir ?? os.tmpdir(), 'electron-double-chromium-'));
  const child = spawn(
    CHROMIUM,
    [...CHROMIUM_ARGS, '--remote-debugging-address=127.0.0.1', '--remote-debugging-port=0', `--user-data-dir=${profile}`, 'about:blank'],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  chromiumProcess = child;
  // The browser is part of this app: it ends with it, whatever way it ends.
  process.once('exit', () => {
    child.kill('SIGKILL');
    // Chromium may still be writing as it dies; what is left goes with the test's temp folder.
    try {
      fs.rmSync(profile, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // Left for the temp folder's owner.
    }
  });
  return new Promise((resolve, reject) => {
    let text = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk;
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(text);
      if (match && !cdpEndpoint) {
        cdpEndpoint = match[1]!;
        chromium.connectOverCDP(cdpEndpoint).then((connected) => resolve({ browser: connected, endpoint: cdpEndpoint! }), reject);
      }
    });
    child.once('exit', (code) => reject(new Error(`Chromium exited (${code}) before it listened: ${text}`)));
  });
}

/** Electron's Chromium is up once the app is ready; starting it then, not at the first window, keeps the window's start honest. */
export function startBrowser(): void {
  browser ??= launchBrowser();
  browser.catch(() => {});
}

export function chromiumPid(): number | undefined {
  return chromiumProcess?.pid;
}

/** Docs (contextBridge, "Parameter / Error / Return Type support"): functions are proxied, objects and arrays copied with theirs. */
type Shape = { fn: number } | { obj: Record<string, Shape> } | { arr: Shape[] } | { value: unknown };

export interface RendererPage {
  load(url: string): Promise<void>;
  deliver(channel: string, args: unknown[]): void;
  close(): Promise<void>;
}

/** Page side: the exposed APIs rebuilt from their shapes; runs before the page's own scripts, in the main frame only (as contextBridge). */
function installExposed(shapes: Record<string, Shape>): void {
  if (window.top !== window) return;
  type Encoded = { cb: number } | { value: unknown };
  const callbacks = new Map<number, (...args: unknown[]) => unknown>();
  const ids = new WeakMap<object, number>();
  const binding = (globalThis as unknown as { __electronDouble: (...args: unknown[]) => Promise<Shape> }).__electronDouble;
  // Names this document to main: its first call starts a preload world of its own.
  const documentId = Math.random();
  Object.defineProperty(globalThis, '__electronDoubleCallbacks', { value: callbacks });
  const encode = (value: unknown): Encoded => {
    if (typeof value !== 'function') return { value };
    let id = ids.get(value);
    if (id === undefined) {
      id = callbacks.size + 1;
      ids.set(value, id);
      callbacks.set(id, value as (...args: unknown[]) => unknown);
    }
    return { cb: id };
  };
  const decode = (shape: Shape): unknown => {
    if ('fn' in shape) return stub(shape.fn);
    if ('arr' in shape) return shape.arr.map(decode);
    if ('obj' in shape) return Object.freeze(Object.fromEntries(Object.entries(shape.obj).map(([key, inner]) => [key, decode(inner)])));
    return shape.value;
  };
  const stub =
    (id: number) =>
    (...args: unknown[]) => {
      const result = binding('call', id, args.map(encode), documentId).then(decode);
      const later = (...laterArgs: unknown[]) => result.then((fn) => (fn as (...a: unknown[]) => unknown)(...laterArgs));
      return Object.assign(later, { then: (ok: (value: unknown) => unknown, fail: (error: unknown) => unknown) => result.then(ok, fail) });
    };
  for (const [key, shape] of Object.entries(shapes)) Object.defineProperty(window, key, { value: decode(shape), enumerable: true });
}

export async function attachPage(contents: WebContents): Promise<RendererPage> {
  const { browser: connected } = await (browser ??= launchBrowser());
  const context = connected.contexts()[0]!;
  const page = await context.newPage();
  await page.setViewportSize(contents.viewport);
  await gatePermissions(page, contents);
  const frames = new WeakMap<Frame, WebFrameMain>([[page.mainFrame(), contents.mainFrame]]);
  const frameOf = (frame: Frame): WebFrameMain => {
    let found = frames.get(frame);
    if (!found) frames.set(frame, (found = new WebFrameMain(() => appUrl(frame.url()), frameOf(frame.parentFrame() ?? page.mainFrame()))));
    return found;
  };
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) contents.url = appUrl(frame.url());
  });

  const functions = new Map<number, (...args: unknown[]) => unknown>();
  const describe = (value: unknown): Shape => {
    if (typeof value === 'function') {
      functions.set(functions.size + 1, value as (...args: unknown[]) => unknown);
      return { fn: functions.size };
    }
    if (Array.isArray(value)) return { arr: value.map(describe) };
    if (value && typeof value === 'object') return { obj: Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, describe(inner)])) };
    return { value: structuredClone(value) };
  };
  const pageCallbacks = new Map<number, (...args: unknown[]) => void>();
  const decodeArg = (arg: { cb: number } | { value: unknown }): unknown => {
    if (!('cb' in arg)) return arg.value;
    const id = arg.cb;
    if (!pageCallbacks.has(id))
      pageCallbacks.set(id, (...args: unknown[]) => {
        void page
          .evaluate(
            ([cb, values]) =>
              (globalThis as unknown as { __electronDoubleCallbacks: Map<number, (...a: unknown[]) => void> }).__electronDoubleCallbacks.get(cb)?.(...values),
            [id, args] as const,
          )
          .catch(() => {});
      });
    return pageCallbacks.get(id);
  };

  let world: PreloadWorld | undefined;
  let sendingFrame: WebFrameMain = contents.mainFrame;
  if (contents.preload) {
    const preload = contents.preload;
    const sender = () => ({ sender: contents, senderFrame: sendingFrame, processId: 1, frameId: sendingFrame.frameTreeNodeId });
    /**
     * Docs (tutorial/sandbox, "Preload scripts"): the preload runs before each page load, in a
     * context that goes with the page, so listeners a page added die with it. A fresh world
     * describes the same API in the same order, so the page's init script keeps its ids.
     */
    const startWorld = () => {
      functions.clear();
      pageCallbacks.clear();
      world = runPreload(preload, {
        invoke: (channel, args) => ipcMain.invokeFromRenderer(sender(), channel, args),
        send: (channel, args) => ipcMain.sendFromRenderer(sender(), channel, args),
      });
      return Object.fromEntries([...world.exposed].map(([key, api]) => [key, describe(api)]));
    };
    const shapes = startWorld();
    let worldDocument: number | undefined;
    await page.exposeBinding(
      '__electronDouble',
      async (source, op: string, id: number, args: Array<{ cb: number } | { value: unknown }>, documentId: number) => {
        if (op !== 'call') throw new Error(`unknown bridge operation ${op}`);
        if (documentId !== worldDocument) {
          if (worldDocument !== undefined) startWorld();
          worldDocument = documentId;
        }
        sendingFrame = frameOf(source.frame);
        return describe(await functions.get(id)!(...args.map(decodeArg)));
      },
    );
    await page.addInitScript(installExposed, shapes);
  }

  let loading: string | undefined;
  await page.route('**/*', async (route: Route) => {
    const request = route.request();
    const url = appUrl(request.url());
    const navigating = request.isNavigationRequest() && request.frame() === page.mainFrame() && url !== loading;
    if (navigating && !contents.navigationAllowed(request.redirectedFrom() ? 'will-redirect' : 'will-navigate', url)) return route.abort('aborted');
    if (url === request.url()) return route.fallback();
    const method = request.method();
    const body = method === 'GET' || method === 'HEAD' ? undefined : (request.postDataBuffer() ?? undefined);
    try {
      const response = await serveThroughHandler(new Request(url, { method, headers: request.headers(), ...(body ? { body: new Uint8Array(body) } : {}) }));
      if (!response) return route.abort('failed');
      return route.fulfill({ status: response.status, headers: Object.fromEntries(response.headers), body: Buffer.from(await response.arrayBuffer()) });
    } catch {
      return route.abort('failed');
    }
  });

  return {
    async load(url) {
      loading = url;
      try {
        await page.goto(standInUrl(url));
      } finally {
        loading = undefined;
      }
    },
    deliver(channel, args) {
      world?.deliver(channel, args);
    },
    close: () => page.close().catch(() => {}),
  };
}
