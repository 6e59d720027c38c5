package io.dovetail.common.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MonotonicClockTest {
  @Test
  void movesWithTheMonotonicSourceOnly() {
    AtomicLong nanos = new AtomicLong(-5_000_000_000L); // nanoTime may be negative
    MonotonicClock clock = new MonotonicClock(1_700_000_000_000L, nanos::get, ZoneOffset.UTC);
    assertThat(clock.millis()).isEqualTo(1_700_000_000_000L);
    nanos.addAndGet(2_500_000_000L);
    assertThat(clock.millis()).isEqualTo(1_700_000_002_500L);
    assertThat(clock.instant().toEpochMilli()).isEqualTo(1_700_000_002_500L);
    nanos.addAndGet(999_999L);
    assertThat(clock.millis()).as("whole milliseconds").isEqualTo(1_700_000_002_500L);
  }

  @Test
  void theSystemClockStartsAtTheSystemTimeAndNeverGoesBack() {
    long before = System.currentTimeMillis();
    MonotonicClock clock = MonotonicClock.systemUTC();
    long first = clock.millis();
    assertThat(first).isBetween(before - 1, System.currentTimeMillis() + 1);
    long previous = first;
    for (int i = 0; i < 10_000; i++) {
      long now = clock.millis();
      assertThat(now).isGreaterThanOrEqualTo(previous);
      previous = now;
    }
    assertThat(clock.withZone(ZoneOffset.UTC)).isSameAs(clock);
  }
}
