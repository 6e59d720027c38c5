package io.dovetail.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for conditions by polling, failing with a description when time runs out. */
public final class Await {
  private Await() {}

  /** Polls {@code condition} every 20 ms until true, or throws AssertionError after {@code timeout}. */
  public static void until(Duration timeout, String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (condition.getAsBoolean()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Timed out after " + timeout + " waiting for: " + what);
      }
      sleep(20);
    }
  }

  /** Polls {@code value} until it is non-null and returns it. */
  public static <T> T value(Duration timeout, String what, Supplier<T> value) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      T v = value.get();
      if (v != null) {
        return v;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Timed out after " + timeout + " waiting for: " + what);
      }
      sleep(20);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
