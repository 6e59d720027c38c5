package io.dovetail.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.dovetail.common.config.DovetailConf;
import io.dovetail.common.rpc.Rpc;
import io.dovetail.common.util.HostPort;
import io.dovetail.proto.AdminServiceGrpc;
import io.dovetail.proto.GetClusterStatusRequest;
import io.dovetail.proto.GetClusterStatusResponse;
import io.dovetail.testkit.Await;
import io.dovetail.testkit.ProcessCluster;
import io.dovetail.testkit.TestDirs;
import io.dovetail.testkit.TestTls;
import io.grpc.ManagedChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.shuffle.dovetail.DovetailShuffleManager;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The plugin shipped with spark.jars only (not in SPARK_HOME), against a running Dovetail cluster
 * that speaks only TLS:
 * the application registers and is cleaned up on stop, unregistering a shuffle deletes its files,
 * task metrics are filled, and AQE's local shuffle reader is off by default.
 */
class PluginLifecycleIT {
  static SparkStandaloneCluster spark;
  static ProcessCluster dovetail;
  static ManagedChannel channel;
  static TestTls tls;

  @BeforeAll
  static void start() {
    Path dir = TestDirs.create("lifecycle");
    tls = TestTls.create("lifecycle-tls");
    spark = new SparkStandaloneCluster(dir.resolve("spark"), false);
    Map<String, String> conf = new HashMap<>(tls.settings());
    conf.putAll(Map.of(
        "dovetail.metadata.server.heartbeatInterval", "300ms",
        "dovetail.storage.memoryLimit", "128m",
        "dovetail.transport.maxFrameSize", "32m"));
    dovetail = new ProcessCluster(dir.resolve("dovetail"), conf).start(2);
    DovetailConf clientConf = new DovetailConf();
    tls.settings().forEach(clientConf::set);
    channel = Rpc.channel(HostPort.parse(dovetail.metadataAddress()), clientConf);
  }

  @AfterAll
  static void stop() {
    if (channel != null) {
      Rpc.shutdown(channel);
    }
    if (dovetail != null) {
      dovetail.close();
    }
    if (spark != null) {
      spark.close();
    }
  }

  static GetClusterStatusResponse status() {
    return AdminServiceGrpc.newBlockingStub(channel)
        .getClusterStatus(GetClusterStatusRequest.getDefaultInstance());
  }

  static long shuffleFiles(String appId) throws Exception {
    long n = 0;
    for (ProcessCluster.Storage s : dovetail.storageServers()) {
      if (!Files.exists(s.dir())) {
        continue;
      }
      try (Stream<Path> files = Files.walk(s.dir())) {
        n += files.filter(p -> p.toString().contains(appId) && p.toString().endsWith(".data"))
            .count();
      }
    }
    return n;
  }

  @Test
  void fromSparkJarsAgainstARunningCluster() throws Exception {
    SparkSession s = StandaloneEquivalenceIT.session(spark, "lifecycle")
        .config("spark.jars", SparkStandaloneCluster.pluginJar().toString())
        .config("spark.shuffle.manager", ShuffleEquivalence.DOVETAIL)
        .config("spark.dovetail.metadata.address", dovetail.metadataAddress())
        .config("spark.dovetail.transport.maxFrameSize", "32m")
        // Every call and connection of the driver and the executors over TLS, through the
        // plugin's relocated Netty and gRPC.
        .config("spark.dovetail.tls.enabled", "true")
        .config("spark.dovetail.tls.trustStore", tls.trustStore().toString())
        .config("spark.dovetail.tls.trustStorePassword", tls.password())
        .getOrCreate();
    JobListener listener = new JobListener();
    s.sparkContext().addSparkListener(listener);
    String appId;
    try {
      assertThat(s.conf().get("spark.sql.adaptive.localShuffleReader.enabled")).isEqualTo("false");
      JavaSparkContext jsc = JavaSparkContext.fromSparkContext(s.sparkContext());
      List<String> result = FaultJobs.sums(jsc, 6);
      assertThat(result).containsExactlyElementsOf(FaultJobs.expectedSums());
      s.sparkContext().listenerBus().waitUntilEmpty();

      // The Spark UI's shuffle figures come from these task metrics.
      long written = 0;
      long recordsWritten = 0;
      long read = 0;
      long recordsRead = 0;
      long blocks = 0;
      for (SparkListenerTaskEnd t : listener.taskEnds) {
        var m = t.taskMetrics();
        written += m.shuffleWriteMetrics().bytesWritten();
        recordsWritten += m.shuffleWriteMetrics().recordsWritten();
        read += m.shuffleReadMetrics().remoteBytesRead();
        recordsRead += m.shuffleReadMetrics().recordsRead();
        blocks += m.shuffleReadMetrics().remoteBlocksFetched();
      }
      assertThat(recordsWritten).as("map-side combined records").isPositive()
          .isLessThanOrEqualTo(FaultJobs.RECORDS);
      assertThat(recordsRead).isEqualTo(recordsWritten);
      assertThat(written).isPositive();
      assertThat(read).isEqualTo(written);
      assertThat(blocks).isPositive();

      // Registered while running, with its shuffle and files, under Spark's id and a tag of
      // this run.
      appId = ((DovetailShuffleManager) SparkEnv.get().shuffleManager()).storeAppId();
      assertThat(appId).startsWith(s.sparkContext().applicationId() + ".");
      assertThat(status().getApplicationsList()).extracting(a -> a.getAppId()).contains(appId);
      var shuffles = status().getShufflesList().stream()
          .filter(x -> x.getAppId().equals(appId)).toList();
      assertThat(shuffles).hasSize(1);
      assertThat(shuffles.get(0).getCommittedMaps()).isEqualTo(4);
      assertThat(shuffleFiles(appId)).isPositive();

      // Spark's cleaner unregisters the shuffle everywhere: its files go.
      s.sparkContext().cleaner().get().doCleanupShuffle(shuffles.get(0).getShuffleId(), true);
      Await.until(Duration.ofSeconds(30), "shuffle state and files deleted", () -> {
        try {
          return status().getShufflesList().stream().noneMatch(x -> x.getAppId().equals(appId))
              && shuffleFiles(appId) == 0;
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      });
    } finally {
      s.stop();
    }
    assertThat(status().getApplicationsList()).extracting(a -> a.getAppId())
        .as("stopping the SparkContext unregisters the application").doesNotContain(appId);
  }
}
