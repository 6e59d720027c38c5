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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

/**
 * Push and read throughput of one storage server against raw Netty loopback with the same
 * message sizes and window, printed as ratios from one run.
 *
 * <pre>java -cp benchmarks.jar io.dovetail.benchmarks.StoreThroughput [totalBytes] [batchBytes]</pre>
 *
 * Defaults: 2g pushed in 256k batches over 64 partitions, gathered into 1m frames; reads use 4m
 * chunks. Each figure is the best of three rounds after a warm-up round.
 */
public final class StoreThroughput {
  private StoreThroughput() {}

  public static void main(String[] args) throws Exception {
    long total = args.length > 0 ? Sizes.parseBytes(args[0]) : 2L << 30;
    int batch = (int) (args.length > 1 ? Sizes.parseBytes(args[1]) : 256L << 10);
    int frame = 1 << 20;
    int chunk = 4 << 20;
    int partitions = 64;
    int rounds = 3;
    long window = 64L << 20;
    Path dir = Files.createTempDirectory("dovetail-bench-");
    DovetailConf conf = new DovetailConf()
        .set("dovetail.storage.memoryLimit", "512m")
        .set("dovetail.transport.maxFrameSize", "16m")
        .set("dovetail.client.push.frameSize", Integer.toString(frame))
        .set("dovetail.client.push.maxInFlightBytes", Long.toString(window))
        .set("dovetail.client.read.maxBytesInFlight", Long.toString(window))
        .set("dovetail.client.push.maxBatchBytes", "8m")
        .set("dovetail.transport.connectionsPerPeer", "1");
    System.out.printf(Locale.ROOT, "Store throughput: %s in %s batches, %d partitions, %s frames,"
            + " %s window, best of %d rounds%n", Sizes.humanBytes(total), Sizes.humanBytes(batch),
        partitions, Sizes.humanBytes(frame), Sizes.humanBytes(window), rounds);

    double rawPush = 0;
    double rawRead = 0;
    try (RawLoopback raw = new RawLoopback(frame, chunk, (int) (window / frame))) {
      int pushFrames = (int) (total / frame);
      int readFrames = (int) (total / chunk);
      raw.push(pushFrames / 4);
      for (int r = 0; r < rounds; r++) {
        rawPush = Math.max(rawPush, raw.push(pushFrames));
      }
      raw.read(readFrames / 4);
      for (int r = 0; r < rounds; r++) {
        rawRead = Math.max(rawRead, raw.read(readFrames));
      }
      System.out.printf(Locale.ROOT, "raw netty loopback (%s): push %s/s, read %s/s%n",
          raw.epoll() ? "epoll" : "nio", Sizes.humanBytes((long) rawPush),
          Sizes.humanBytes((long) rawRead));
    }

    double push = 0;
    double read = 0;
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
        try (ShufflePusher pusher = client.pusher("bench", shuffle, 0, shuffle, 0)) {
          for (long i = 0; i < batches; i++) {
            pusher.push((int) (i % partitions),
                payloads[(int) (i % payloads.length)].retainedDuplicate(), 1);
          }
          pusher.commit();
        }
        double pushRate = (double) batches * batch / ((System.nanoTime() - start) / 1e9);
        start = System.nanoTime();
        long bytes = 0;
        try (ShuffleReader reader = client.reader("bench", shuffle, 0, partitions, 0, -1)) {
          while (reader.hasNext()) {
            ReadBatch b = reader.next();
            bytes += b.payload().readableBytes();
            b.release();
          }
        }
        double readRate = bytes / ((System.nanoTime() - start) / 1e9);
        if (r >= 0) {
          push = Math.max(push, pushRate);
          read = Math.max(read, readRate);
        }
        client.unregisterShuffle("bench", shuffle);
      }
    }
    System.out.printf(Locale.ROOT, "dovetail storage server: push %s/s, read %s/s%n",
        Sizes.humanBytes((long) push), Sizes.humanBytes((long) read));
    System.out.printf(Locale.ROOT, "RATIO push %.2f (target >= 0.70), read %.2f (target >= 0.80)%n",
        push / rawPush, read / rawRead);
  }
}
