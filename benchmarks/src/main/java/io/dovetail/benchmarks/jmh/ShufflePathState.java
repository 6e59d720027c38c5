package io.dovetail.benchmarks.jmh;

import io.dovetail.client.DovetailClient;
import io.dovetail.common.config.DovetailConf;
import io.dovetail.embedded.EmbeddedCluster;
import java.util.Arrays;
import java.util.Random;
import org.apache.spark.Partitioner;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerManager;
import scala.Option;
import scala.Tuple2;

/**
 * A real in-process cluster, a store client, Spark's Kryo serializer and LZ4 codec, and
 * TeraSort-shaped records (10-byte key, 90-byte value), shared by the write and read benchmarks.
 * Not thread-safe: one benchmark thread.
 */
final class ShufflePathState implements AutoCloseable {
  static final String APP = "jmh";

  final EmbeddedCluster cluster;
  final DovetailClient client;
  final KryoSerializer serializer;
  final SerializerManager serializerManager;
  final DovetailConf pluginConf = new DovetailConf();
  private int nextShuffle;

  ShufflePathState() {
    DovetailConf conf = new DovetailConf()
        .set("dovetail.storage.memoryLimit", "512m")
        .set("dovetail.transport.maxFrameSize", "32m");
    cluster = EmbeddedCluster.builder().conf(conf).storageServers(1).build().start();
    client = new DovetailClient("jmh", cluster.clientConf());
    client.registerApplication(APP);
    SparkConf spark = new SparkConf();
    serializer = new KryoSerializer(spark);
    serializerManager = new SerializerManager(serializer, spark, Option.empty());
  }

  int newShuffle(int maps, int partitions) {
    int id = nextShuffle++;
    client.registerShuffle(APP, id, maps, partitions, 1);
    return id;
  }

  /** {@code n} records with random keys. */
  static Tuple2<byte[], byte[]>[] records(int n, long seed) {
    Random rnd = new Random(seed);
    @SuppressWarnings("unchecked")
    Tuple2<byte[], byte[]>[] out = new Tuple2[n];
    for (int i = 0; i < n; i++) {
      byte[] key = new byte[10];
      byte[] value = new byte[90];
      rnd.nextBytes(key);
      rnd.nextBytes(value);
      out[i] = new Tuple2<>(key, value);
    }
    return out;
  }

  /** Partitions byte-array keys by their hash, as a hash partitioner would. */
  static Partitioner partitioner(int partitions) {
    return new Partitioner() {
      @Override
      public int numPartitions() {
        return partitions;
      }

      @Override
      public int getPartition(Object key) {
        return Math.floorMod(Arrays.hashCode((byte[]) key), partitions);
      }
    };
  }

  static long bytes(Tuple2<byte[], byte[]>[] records) {
    return (long) records.length * (10 + 90);
  }

  @Override
  public void close() {
    client.close();
    cluster.close();
  }

}
