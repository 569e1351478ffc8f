import { CONTROL_RATE } from '../../shared/runner-protocol.ts';

export type RateVerdict =
  /** Within the limit: handle the message. */
  | 'pass'
  /** Over the limit, and the first message dropped in this episode: say so once. */
  | 'throttle'
  /** Over the limit in an episode already announced: drop it silently (it is counted). */
  | 'drop';

/**
 * How many control messages a runner may send: a token bucket per launch, `CONTROL_RATE` (500 a
 * second, a burst of 500; why in its comment). A runner that sends faster has the excess dropped,
 * and the app says so once per throttling episode, not once per message (20,000 messages must not
 * become 20,000 log lines).
 */
export class ControlRate {
  readonly #perSecond: number;
  readonly #burst: number;
  readonly #now: () => number;
  #tokens: number;
  #at: number;
  #throttled = false;
  /** Messages dropped since the launch began. */
  dropped = 0;

  constructor({ perSecond, burst }: { perSecond: number; burst: number } = CONTROL_RATE, now: () => number = performance.now.bind(performance)) {
    this.#perSecond = perSecond;
    this.#burst = burst;
    this.#now = now;
    this.#tokens = burst;
    this.#at = now();
  }

  /** Takes one message's token. */
  take(): RateVerdict {
    const now = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#at) / 1000) * this.#perSecond);
    this.#at = now;
    // An episode ends once the runner stayed under the limit long enough to refill the whole burst,
    // so a runner that hovers at the limit is announced once, not on every other message.
    if (this.#throttled && this.#tokens >= this.#burst) this.#throttled = false;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 'pass';
    }
    this.dropped += 1;
    if (this.#throttled) return 'drop';
    this.#throttled = true;
    return 'throttle';
  }
}
