// Polling with back-off: fast while things change, slower while they do not, paused in a hidden tab, stopped
// when `tick` says nothing is in flight any more.

export class Poller {
  /**
   * tick(): Promise<{changed: boolean, more: boolean}> — `more` false stops polling until `kick()`.
   */
  constructor(tick, { first = 1500, factor = 1.6, max = 20000 } = {}) {
    this.tick = tick;
    this.first = first;
    this.factor = factor;
    this.max = max;
    this.delay = first;
    this.timer = null;
    this.stopped = false;
    this.running = false;
    this.onVisible = () => {
      if (document.visibilityState === "visible" && this.timer === null && this.wanted) this.schedule(0);
    };
    document.addEventListener("visibilitychange", this.onVisible);
    this.wanted = false;
  }

  /** Start (again) quickly: something new is in flight. */
  kick() {
    if (this.stopped) return;
    this.delay = this.first;
    this.wanted = true;
    this.schedule(this.first);
  }

  schedule(delay) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.run(), delay);
  }

  async run() {
    this.timer = null;
    if (this.stopped || this.running) return;
    if (document.visibilityState === "hidden") return; // resumes in onVisible
    this.running = true;
    let result = { changed: false, more: true };
    try {
      result = await this.tick();
    } catch {
      result = { changed: false, more: true }; // a failed poll backs off like an unchanged one
    } finally {
      this.running = false;
    }
    if (this.stopped) return;
    this.wanted = result.more;
    if (!result.more) return;
    this.delay = result.changed ? this.first : Math.min(this.max, Math.round(this.delay * this.factor));
    this.schedule(this.delay);
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    document.removeEventListener("visibilitychange", this.onVisible);
  }
}
