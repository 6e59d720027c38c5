package io.dovetail.testkit;

import io.dovetail.common.util.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that moves only when told to. Thread-safe. */
public final class ManualClock implements Clock {
  private final AtomicLong now;

  public ManualClock(long startMillis) {
    this.now = new AtomicLong(startMillis);
  }

  public ManualClock() {
    this(1_700_000_000_000L);
  }

  @Override
  public long millis() {
    return now.get();
  }

  public void advance(Duration d) {
    now.addAndGet(d.toMillis());
  }
}
