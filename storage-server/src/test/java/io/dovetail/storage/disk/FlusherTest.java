package io.dovetail.storage.disk;

import static org.assertj.core.api.Assertions.assertThat;

import io.dovetail.testkit.Await;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** How a directory's writer threads stop. */
class FlusherTest {

  /**
   * A thread whose flush outlives the stop deadline (a slow device, or another directory's stall
   * using up the shared deadline) still ends once its flush returns: it waited for a job for ever.
   */
  @Test
  void aThreadThatOutlivesTheStopDeadlineEndsWhenItsFlushReturns() throws Exception {
    Flusher f = new Flusher("flusher-test", 1);
    f.start();
    CountDownLatch release = HeldFlush.hold(f);
    f.stop(Duration.ofMillis(1));
    assertThat(f.anyThreadAlive()).as("still in its flush").isTrue();
    release.countDown();
    Await.until(Duration.ofSeconds(30), "the thread ends", () -> !f.anyThreadAlive());
  }
}
