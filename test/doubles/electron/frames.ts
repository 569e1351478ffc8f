/** `WebFrameMain`: a frame as main sees it, with its URL and its origin as Chromium computes it. */
import { originOf } from './protocol.ts';

let nextFrameId = 1;

export class WebFrameMain {
  readonly frameTreeNodeId = nextFrameId++;
  readonly routingId = this.frameTreeNodeId;
  readonly processId = 1;
  readonly parent: WebFrameMain | null;
  readonly #url: () => string;
  detached = false;

  constructor(url: () => string, parent: WebFrameMain | null = null) {
    this.#url = url;
    this.parent = parent;
  }

  /** The app's URL (`app://renderer/…`), never the stand-in address the page really has. */
  get url(): string {
    return this.#url();
  }

  /** Docs (web-frame-main, `frame.origin`): the origin as the frame's security context sees it, "null" if opaque. */
  get origin(): string {
    return originOf(this.url);
  }

  get top(): WebFrameMain {
    return this.parent ? this.parent.top : this;
  }

  isDestroyed(): boolean {
    return this.detached;
  }
}
