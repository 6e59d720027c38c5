package io.dovetail.spark.write;

import static org.assertj.core.api.Assertions.assertThat;

import io.dovetail.client.DovetailClient;
import io.dovetail.client.push.ShufflePusher;
import io.dovetail.embedded.EmbeddedCluster;
import io.dovetail.spark.codec.BatchFormat;
import java.util.Random;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;
import org.junit.jupiter.api.Test;

/**
 * The sorted writer's arena stays within its buffer limit: it pushes what it holds before a
 * record would take it past the limit, rather than doubling a full arena (which kept up to three
 * times the limit alive, outside Spark's memory accounting, in every task).
 */
class SortSinkTest {
  private static final int LIMIT = 1 << 20;

  @Test
  void theArenaNeverGrowsPastTheBufferLimit() {
    try (EmbeddedCluster cluster = EmbeddedCluster.builder().storageServers(1).build().start();
        DovetailClient client = new DovetailClient("sort-sink", cluster.clientConf())) {
      client.registerApplication("app-sort");
      client.registerShuffle("app-sort", 0, 1, 500, 1);
      try (ShufflePusher pusher = client.pusher("app-sort", 0, 0, 1, 0)) {
        SortSink sink = new SortSink(new KryoSerializer(new SparkConf(false)).newInstance(),
            new BatchPusher(pusher, null, null, BatchFormat.LZ4_BLOCK), 64 << 10, LIMIT);
        Random rnd = new Random(7);
        int peak = 0;
        for (int i = 0; i < 40_000; i++) {
          byte[] value = new byte[20 + rnd.nextInt(200)];
          rnd.nextBytes(value);
          sink.write(rnd.nextInt(500), i, value);
          peak = Math.max(peak, sink.arenaCapacity());
        }
        // One record larger than the limit still fits: the arena grows for it alone.
        sink.write(3, -1, new byte[LIMIT + 1000]);
        sink.finish();
        assertThat(peak).as("arena capacity with records far below the limit")
            .isLessThanOrEqualTo(LIMIT);
        assertThat(pusher.commit().committed()).isTrue();
        sink.release();
      }
    }
  }
}
