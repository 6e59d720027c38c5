package io.dovetail.benchmarks;

import io.dovetail.client.DovetailClient;
import io.dovetail.client.push.ShufflePusher;
import io.dovetail.client.read.ReadBatch;
import io.dovetail.client.read.ShuffleReader;
import io.dovetail.common.config.DovetailConf;
import io.dovetail.common.config.Sizes;
import io.dovetail.embedded.EmbeddedCluster;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Push and read throughput of one storage server against raw Netty loopback with the same
 * message sizes and window, printed as ratios from one run.
 *
 * <pre>benchmarks/bin/store-throughput [totalBytes] [batchBytes]</pre>
 *
 * Defaults: 2g pushed in 256k batches over 64 partitions, gathered into 1m frames; reads use 4m
 * chunks. Each figure is the best of three rounds after a warm-up round, printed with the CPU time
 * the whole process spent per GiB moved in that round: on a shared machine the rates swing with
 * the neighbours' load, the CPU cost much less. {@code -Ddovetail.bench.only=raw} or {@code =store}
 * runs one side alone (to profile it).
 */
public final class StoreThroughput {
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private StoreThroughput() {}

  /** The best round: bytes per second, and process CPU seconds per GiB in that round. */
  private static final class Best {
    double rate;
    double cpuPerGib;

    void offer(long bytes, long wallNanos, long cpuNanos) {
      double r = bytes / (wallNanos / 1e9);
      if (r > rate) {
        rate = r;
        cpuPerGib = cpuNanos / 1e9 / (bytes / (double) (1L << 30));
      }
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%s/s (%.2f cpu-s/GiB)", Sizes.humanBytes((long) rate),
          cpuPerGib);
    }
  }

  private static long cpu() {
    return OS.getProcessCpuTime();
  }

  public static void main(String[] args) throws Exception {
    long total = args.length > 0 ? Sizes.parseBytes(args[0]) : 2L << 30;
    int batch = (int) (args.length > 1 ? Sizes.parseBytes(args[1]) : 256L << 10);
    int frame = 1 << 20;
    int chunk = 4 << 20;
    int partitions = 64;
    int rounds = 3;
    long window = 64L << 20;
    DovetailConf conf = new DovetailConf()
        .set("dovetail.storage.memoryLimit", "512m")
        .set("dovetail.transport.maxFrameSize", "16m")
        .set("dovetail.client.push.frameSize", Integer.toString(frame))
        .set("dovetail.client.push.maxInFlightBytes", Long.toString(window))
        .set("dovetail.client.read.maxBytesInFlight", Long.toString(window))
        .set("dovetail.client.push.maxBatchBytes", "8m")
        .set("dovetail.transport.connectionsPerPeer", "1");
    // -Ddovetail.<key>=<value> overrides a setting, to compare configurations.
    System.getProperties().stringPropertyNames().stream()
        .filter(k -> k.startsWith("dovetail.") && !k.startsWith("dovetail.bench."))
        .forEach(k -> conf.set(k, System.getProperty(k)));
    System.out.printf(Locale.ROOT, "Store throughput: %s in %s batches, %d partitions, %s frames,"
            + " %s window, best of %d rounds%n", Sizes.humanBytes(total), Sizes.humanBytes(batch),
        partitions, Sizes.humanBytes(frame), Sizes.humanBytes(window), rounds);

    String only = System.getProperty("dovetail.bench.only", "");
    Best rawPush = new Best();
    Best rawRead = new Best();
    if (!only.equals("store")) {
      try (RawLoopback raw = new RawLoopback(frame, chunk, window)) {
        int pushFrames = (int) (total / frame);
        int readFrames = (int) (total / chunk);
        raw.push(pushFrames / 4);
        for (int r = 0; r < rounds; r++) {
          long start = System.nanoTime();
          long cpu = cpu();
          raw.push(pushFrames);
          rawPush.offer((long) pushFrames * frame, System.nanoTime() - start, cpu() - cpu);
        }
        raw.read(readFrames / 4);
        for (int r = 0; r < rounds; r++) {
          long start = System.nanoTime();
          long cpu = cpu();
          raw.read(readFrames);
          rawRead.offer((long) readFrames * chunk, System.nanoTime() - start, cpu() - cpu);
        }
        System.out.printf(Locale.ROOT, "raw netty loopback (%s): push %s, read %s%n",
            raw.epoll() ? "epoll" : "nio", rawPush, rawRead);
      }
    }
    if (only.equals("raw")) {
      return;
    }

    Best push = new Best();
    Best read = new Best();
    Path dir = Files.createTempDirectory("dovetail-bench-");
    try (EmbeddedCluster cluster = EmbeddedCluster.builder().conf(conf).baseDir(dir)
        .storageServers(1).build().start();
        DovetailClient client = new DovetailClient("bench", cluster.clientConf())) {
      client.registerApplication("bench");
      // A ring of distinct payloads pushed as duplicates: like the baseline, the driver copies
      // nothing and the data is not all in cache.
      ByteBuf[] payloads = new ByteBuf[(int) Math.max(1, RawLoopback.RING_BYTES / batch)];
      Random rnd = new Random(1);
      byte[] random = new byte[batch];
      for (int i = 0; i < payloads.length; i++) {
        rnd.nextBytes(random);
        payloads[i] = PooledByteBufAllocator.DEFAULT.directBuffer(batch).writeBytes(random);
      }
      for (int r = -1; r < rounds; r++) {
        int shuffle = r + 1;
        long batches = (r < 0 ? total / 4 : total) / batch;
        client.registerShuffle("bench", shuffle, 1, partitions, 1);
        long start = System.nanoTime();
        long cpu = cpu();
        try (ShufflePusher pusher = client.pusher("bench", shuffle, 0, shuffle, 0)) {
          for (long i = 0; i < batches; i++) {
            pusher.push((int) (i % partitions),
                payloads[(int) (i % payloads.length)].retainedDuplicate(), 1);
          }
          pusher.commit();
        }
        long pushWall = System.nanoTime() - start;
        long pushCpu = cpu() - cpu;
        start = System.nanoTime();
        cpu = cpu();
        long bytes = 0;
        try (ShuffleReader reader = client.reader("bench", shuffle, 0, partitions, 0, -1)) {
          while (reader.hasNext()) {
            ReadBatch b = reader.next();
            bytes += b.payload().readableBytes();
            b.release();
          }
        }
        if (r >= 0) {
          push.offer(batches * batch, pushWall, pushCpu);
          read.offer(bytes, System.nanoTime() - start, cpu() - cpu);
        }
        client.unregisterShuffle("bench", shuffle);
      }
      for (ByteBuf b : payloads) {
        b.release();
      }
    } finally {
      deleteRecursively(dir);
    }
    System.out.printf(Locale.ROOT, "dovetail storage server: push %s, read %s%n", push, read);
    if (!only.equals("store")) {
      System.out.printf(Locale.ROOT,
          "RATIO push %.2f (target >= 0.70), read %.2f (target >= 0.80)%n",
          push.rate / rawPush.rate, read.rate / rawRead.rate);
    }
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
