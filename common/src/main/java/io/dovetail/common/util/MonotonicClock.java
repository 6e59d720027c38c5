package io.dovetail.common.util;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.function.LongSupplier;

/**
 * Wall-clock time that moves only with the monotonic clock: the system time read once, then
 * advanced by {@link System#nanoTime()}. For timeouts and time-to-live: a step of the system
 * clock (NTP correcting a VM after boot or migration, an operator's {@code date}) neither makes
 * every heartbeat look minutes late nor stops expiry. What it reads drifts from the system time
 * by the steps since start. Thread-safe.
 */
public final class MonotonicClock extends Clock {
  private final long startMillis;
  private final long startNanos;
  private final LongSupplier nanos;
  private final ZoneId zone;

  /** Starting at {@code startMillis} now, advanced by {@code nanos}. */
  public MonotonicClock(long startMillis, LongSupplier nanos, ZoneId zone) {
    this.startMillis = startMillis;
    this.nanos = nanos;
    this.startNanos = nanos.getAsLong();
    this.zone = zone;
  }

  /** Starting at the system time (UTC), advanced by {@link System#nanoTime()}. */
  public static MonotonicClock systemUTC() {
    return new MonotonicClock(System.currentTimeMillis(), System::nanoTime, ZoneOffset.UTC);
  }

  @Override
  public long millis() {
    return startMillis + Math.floorDiv(nanos.getAsLong() - startNanos, 1_000_000L);
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis());
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return zone.equals(this.zone) ? this : new MonotonicClock(millis(), nanos, zone);
  }
}
