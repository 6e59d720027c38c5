package io.dovetail.common.util;

/** Time source, injectable so tests can drive timeouts by hand. Implementations are thread-safe. */
public interface Clock {
  Clock SYSTEM = System::currentTimeMillis;

  /** Wall-clock milliseconds since the epoch. */
  long millis();
}
