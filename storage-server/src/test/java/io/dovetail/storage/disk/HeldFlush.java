package io.dovetail.storage.disk;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A flush job that holds a flusher's thread until released: a device that hangs, for tests. */
public final class HeldFlush {
  private HeldFlush() {}

  /** Blocks a thread of {@code flusher} until the returned latch is counted down. */
  public static CountDownLatch hold(Flusher flusher) throws InterruptedException {
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    flusher.submit(new FlushJob() {
      @Override
      public void run() {
        running.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }

      @Override
      public void cancel() {
        running.countDown();
      }
    });
    assertThat(running.await(10, TimeUnit.SECONDS)).as("the held flush runs").isTrue();
    return release;
  }
}
