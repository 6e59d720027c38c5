package io.dovetail.common.util;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Named thread factories. Every Dovetail thread has a name that says what it does. */
public final class Threads {
  private static final Logger LOG = LoggerFactory.getLogger(Threads.class);

  private Threads() {}

  /** Daemon threads named {@code prefix-N}; an uncaught exception is logged. */
  public static ThreadFactory named(String prefix) {
    return factory(prefix, (t, e) -> LOG.error("Uncaught exception in thread {}", t.getName(), e));
  }

  /**
   * Threads whose death is fatal: an uncaught exception logs and halts the process, so a server
   * never limps on without, say, its flusher.
   */
  public static ThreadFactory critical(String prefix) {
    return factory(prefix, (t, e) -> {
      LOG.error("Critical thread {} died; halting the process", t.getName(), e);
      Runtime.getRuntime().halt(70);
    });
  }

  private static ThreadFactory factory(String prefix, Thread.UncaughtExceptionHandler handler) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      t.setUncaughtExceptionHandler(handler);
      return t;
    };
  }
}
