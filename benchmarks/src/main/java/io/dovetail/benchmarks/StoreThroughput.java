package io.dovetail.benchmarks;

import io.dovetail.benchmarks.report.Reports;
import io.dovetail.benchmarks.report.StoreThroughputReport;
import io.dovetail.benchmarks.report.StoreThroughputReport.Direction;
import io.dovetail.benchmarks.report.StoreThroughputReport.Round;
import io.dovetail.benchmarks.report.StoreThroughputReport.Side;
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
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
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
 * chunks. Each figure is the best of three rounds after two full-size warm-up rounds, printed
 * with the CPU time the whole process spent per GiB moved in that round: on a shared machine the
 * rates swing with the neighbours' load, the CPU cost much less. {@code -Ddovetail.bench.only=raw} or {@code =store}
 * runs one side alone (to profile it). Every round is also written as a report (see {@link
 * StoreThroughputReport}) to {@code benchmarks/results/store-throughput/}, or to the directory
 * {@code -Ddovetail.bench.out} names.
 */
public final class StoreThroughput {
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private StoreThroughput() {}

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
    int maxBatch = 8 << 20;
    if (total < chunk || batch <= 0 || batch > maxBatch) {
      // Rates are per whole frame and chunk: anything smaller would time nothing.
      System.err.printf(Locale.ROOT, "store-throughput: the total must be at least %s (one read"
              + " chunk) and the batch between 1 byte and %s; got %s and %s%n",
          Sizes.humanBytes(chunk), Sizes.humanBytes(maxBatch), Sizes.humanBytes(total),
          Sizes.humanBytes(batch));
      System.exit(2);
    }
    String started = ZonedDateTime.now().truncatedTo(ChronoUnit.SECONDS)
        .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    String loadAtStart = Reports.loadAverage();
    Path out = Reports.outputDir("benchmarks/results/" + StoreThroughputReport.NAME);
    DovetailConf conf = new DovetailConf()
        .set("dovetail.storage.memoryLimit", "512m")
        .set("dovetail.transport.maxFrameSize", "16m")
        .set("dovetail.client.push.frameSize", Integer.toString(frame))
        .set("dovetail.client.push.maxInFlightBytes", Long.toString(window))
        .set("dovetail.client.read.maxBytesInFlight", Long.toString(window))
        .set("dovetail.client.push.maxBatchBytes", Integer.toString(maxBatch))
        .set("dovetail.transport.connectionsPerPeer", "1");
    // -Ddovetail.<key>=<value> overrides a setting, to compare configurations.
    List<String> overrides = new ArrayList<>();
    System.getProperties().stringPropertyNames().stream()
        .filter(k -> k.startsWith("dovetail.") && !k.startsWith("dovetail.bench.")).sorted()
        .forEach(k -> {
          conf.set(k, System.getProperty(k));
          overrides.add(k + "=" + System.getProperty(k));
        });
    System.out.printf(Locale.ROOT, "Store throughput: %s in %s batches, %d partitions, %s frames,"
            + " %s window, best of %d rounds%n", Sizes.humanBytes(total), Sizes.humanBytes(batch),
        partitions, Sizes.humanBytes(frame), Sizes.humanBytes(window), rounds);

    String only = System.getProperty("dovetail.bench.only", "");
    StoreThroughputReport report = new StoreThroughputReport();
    String rawTransport = "";
    if (!only.equals("store")) {
      rawTransport = runRaw(report, total, frame, chunk, window, rounds);
      System.out.printf(Locale.ROOT, "raw netty loopback (%s): push %s, read %s%n", rawTransport,
          best(report, Side.RAW, Direction.PUSH), best(report, Side.RAW, Direction.READ));
    }
    if (!only.equals("raw")) {
      runStore(report, conf, total, batch, partitions, rounds);
      System.out.printf(Locale.ROOT, "dovetail storage server: push %s, read %s%n",
          best(report, Side.DOVETAIL, Direction.PUSH),
          best(report, Side.DOVETAIL, Direction.READ));
      if (!only.equals("store")) {
        System.out.printf(Locale.ROOT,
            "RATIO push %.2f (target >= %.2f), read %.2f (target >= %.2f)%n",
            report.ratio(Direction.PUSH).orElseThrow(), StoreThroughputReport.PUSH_TARGET,
            report.ratio(Direction.READ).orElseThrow(), StoreThroughputReport.READ_TARGET);
      }
    }

    StoreThroughputReport.Conditions conditions = new StoreThroughputReport.Conditions(total,
        batch, partitions, frame, chunk, window, WARMUPS, rounds, only, rawTransport,
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), started,
        loadAtStart, Reports.loadAverage(), overrides);
    List<Path> files = report.write(out, conditions);
    System.out.printf(Locale.ROOT, "Report: %s%n",
        String.join(", ", files.stream().map(Path::toString).toList()));
  }

  /**
   * Untimed full-size rounds before the timed ones, for each side and direction: the store's code
   * paths are many more than the baseline's, and a short warm-up left its JIT work in the timed
   * rounds. {@code -Ddovetail.bench.warmups=N} changes it.
   */
  static final int WARMUPS = Integer.getInteger("dovetail.bench.warmups", 2);

  /** Times the baseline's rounds into {@code report}; returns its transport, epoll or nio. */
  private static String runRaw(StoreThroughputReport report, long total, int frame, int chunk,
      long window, int rounds) throws InterruptedException {
    try (RawLoopback raw = new RawLoopback(frame, chunk, window)) {
      int pushFrames = (int) (total / frame);
      int readFrames = (int) (total / chunk);
      for (int w = 0; w < WARMUPS; w++) {
        raw.push(pushFrames);
      }
      for (int r = 1; r <= rounds; r++) {
        long start = System.nanoTime();
        long cpu = cpu();
        raw.push(pushFrames);
        progress(report, new Round(Side.RAW, Direction.PUSH, r, (long) pushFrames * frame,
            System.nanoTime() - start, cpu() - cpu), rounds);
      }
      for (int w = 0; w < WARMUPS; w++) {
        raw.read(readFrames);
      }
      for (int r = 1; r <= rounds; r++) {
        long start = System.nanoTime();
        long cpu = cpu();
        raw.read(readFrames);
        progress(report, new Round(Side.RAW, Direction.READ, r, (long) readFrames * chunk,
            System.nanoTime() - start, cpu() - cpu), rounds);
      }
      return raw.epoll() ? "epoll" : "nio";
    }
  }

  /** Times one storage server's rounds, each a push then a read of one shuffle, into report. */
  private static void runStore(StoreThroughputReport report, DovetailConf conf, long total,
      int batch, int partitions, int rounds) throws IOException {
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
      for (int r = -WARMUPS; r < rounds; r++) {
        int shuffle = r + WARMUPS;
        long batches = total / batch;
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
        long readWall = System.nanoTime() - start;
        long readCpu = cpu() - cpu;
        if (r >= 0) {
          progress(report, new Round(Side.DOVETAIL, Direction.PUSH, r + 1, batches * batch,
              pushWall, pushCpu), rounds);
          progress(report, new Round(Side.DOVETAIL, Direction.READ, r + 1, bytes, readWall,
              readCpu), rounds);
        }
        client.unregisterShuffle("bench", shuffle);
      }
      for (ByteBuf b : payloads) {
        b.release();
      }
    } finally {
      deleteRecursively(dir);
    }
  }

  /** Records a round and prints it, outside the timed part. */
  private static void progress(StoreThroughputReport report, Round round, int rounds) {
    report.add(round);
    System.out.printf(Locale.ROOT, "  %s %s, round %d of %d: %s%n", round.side().title(),
        round.direction().key(), round.round(), rounds, round.text());
  }

  private static String best(StoreThroughputReport report, Side side, Direction direction) {
    return report.best(side, direction).map(Round::text).orElse("-");
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
