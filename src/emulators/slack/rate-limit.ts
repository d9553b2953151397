/**
 * Per-channel request limits over a sliding one-second window, answered the way Slack does:
 * the caller learns how many whole seconds to wait (`Retry-After`, at least 1).
 */
export class ChannelRateLimiter {
  private readonly limits = new Map<string, number>();
  private readonly hits = new Map<string, number[]>();

  /** Limits a channel to `perSecond` calls; `null` lifts the limit. */
  set(channel: string, perSecond: number | null): void {
    this.hits.delete(channel);
    if (perSecond === null) this.limits.delete(channel);
    else this.limits.set(channel, Math.max(0, Math.floor(perSecond)));
  }

  /** Counts a call; returns the seconds to wait when it is over the limit (and not counted). */
  take(channel: string, now = Date.now()): number | undefined {
    const limit = this.limits.get(channel);
    if (limit === undefined) return undefined;
    const recent = (this.hits.get(channel) ?? []).filter((t) => t > now - 1000);
    if (recent.length >= limit) {
      this.hits.set(channel, recent);
      const oldest = recent[0] ?? now;
      return Math.max(1, Math.ceil((oldest + 1000 - now) / 1000));
    }
    recent.push(now);
    this.hits.set(channel, recent);
    return undefined;
  }

  /** Lifts every limit. */
  reset(): void {
    this.limits.clear();
    this.hits.clear();
  }
}
