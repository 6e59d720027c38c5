package io.dovetail.testkit;

import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs a test class with Netty's leak detector at PARANOID and fails the class if any buffer was
 * leaked. Register with {@code @ExtendWith(NettyLeakDetectionExtension.class)}. Netty reports a
 * leak only once the buffer has been collected, so a leak of an earlier class in the same JVM can
 * surface late: it then fails the next class that uses this extension, named as such, instead of
 * being dropped.
 */
public final class NettyLeakDetectionExtension implements BeforeAllCallback, AfterAllCallback {
  private static final List<String> LEAKS = new CopyOnWriteArrayList<>();
  private static volatile boolean installed;

  @Override
  public void beforeAll(ExtensionContext context) {
    install();
    failIfLeaked("before " + context.getDisplayName() + " started, by an earlier test class in "
        + "this JVM");
  }

  @Override
  public void afterAll(ExtensionContext context) {
    failIfLeaked("in " + context.getDisplayName());
  }

  private static void failIfLeaked(String where) {
    flush();
    if (!LEAKS.isEmpty()) {
      String report = String.join("\n\n", LEAKS);
      LEAKS.clear();
      throw new AssertionError("Netty buffers leaked " + where + ":\n" + report);
    }
  }

  /**
   * Leaks are reported when a collected, unreleased buffer's tracker is polled, which happens on
   * allocation. Collects and allocates a few times to flush them out.
   */
  private static void flush() {
    for (int i = 0; i < 5; i++) {
      System.gc();
      System.runFinalization();
      io.netty.buffer.ByteBuf probe = io.netty.buffer.PooledByteBufAllocator.DEFAULT.directBuffer(16);
      probe.release();
      io.netty.buffer.ByteBuf probe2 = io.netty.buffer.UnpooledByteBufAllocator.DEFAULT.heapBuffer(16);
      probe2.release();
    }
  }

  private static synchronized void install() {
    if (installed) {
      return;
    }
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
    installed = true;
  }

  private static final class RecordingFactory extends ResourceLeakDetectorFactory {
    @Override
    public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource,
        int samplingInterval, long maxActive) {
      return new RecordingDetector<>(resource, samplingInterval);
    }
  }

  private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {
    RecordingDetector(Class<T> resource, int samplingInterval) {
      super(resource, samplingInterval);
    }

    @Override
    protected void reportTracedLeak(String resourceType, String records) {
      LEAKS.add(resourceType + " leaked:" + records);
      super.reportTracedLeak(resourceType, records);
    }

    @Override
    protected void reportUntracedLeak(String resourceType) {
      LEAKS.add(resourceType + " leaked (no records)");
      super.reportUntracedLeak(resourceType);
    }
  }
}
