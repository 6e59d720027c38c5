package org.apache.spark.shuffle.dovetail;

import static org.assertj.core.api.Assertions.assertThat;

import io.dovetail.embedded.EmbeddedCluster;
import io.dovetail.spark.DovetailRuntime;
import io.dovetail.testkit.Await;
import java.net.ServerSocket;
import java.time.Duration;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An executor's shuffle manager creates its store client and connects it to a real metadata
 * server before any task asks for it; nothing is started on the driver, when disabled, or
 * without a configured address, and an unreachable server does not stop the executor.
 */
class ExecutorWarmUpTest {
  static final Duration WAIT = Duration.ofSeconds(30);
  static EmbeddedCluster cluster;
  static String address;

  @BeforeAll
  static void start() {
    cluster = EmbeddedCluster.builder().storageServers(1).build().start();
    address = cluster.metadataAddress().toString();
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  static SparkConf conf(String metadataAddress) {
    SparkConf c = new SparkConf(false).set("spark.app.id", "app-warm-up");
    return metadataAddress == null ? c : c.set("spark.dovetail.metadata.address", metadataAddress);
  }

  @Test
  void anExecutorConnectsToTheMetadataServerBeforeItsFirstTask() throws Exception {
    DovetailShuffleManager m = new DovetailShuffleManager(conf(address), false);
    try {
      Thread t = m.warmUpThread();
      assertThat(t).isNotNull();
      assertThat(t.isDaemon()).isTrue();
      t.join(WAIT.toMillis());
      assertThat(t.isAlive()).isFalse();
      DovetailRuntime r = m.runtime();
      assertThat(r.hasClient(address)).isTrue();
      Await.until(WAIT, "the warmed-up client's metadata connection",
          () -> r.client(address).metadata().connected());
    } finally {
      m.stop();
    }
  }

  @Test
  void nothingIsWarmedUpOnTheDriverWhenDisabledOrWithoutAnAddress() throws Exception {
    DovetailShuffleManager driver = new DovetailShuffleManager(conf(address), true);
    DovetailShuffleManager disabled = new DovetailShuffleManager(
        conf(address).set("spark.dovetail.executor.warmUp", "false"), false);
    DovetailShuffleManager noAddress = new DovetailShuffleManager(conf(null), false);
    try {
      assertThat(driver.warmUpThread()).isNull();
      assertThat(disabled.warmUpThread()).isNull();
      assertThat(driver.runtime().hasClient(address)).isFalse();
      assertThat(disabled.runtime().hasClient(address)).isFalse();
      // An executor that learns the address from shuffle handles has nothing to warm up.
      noAddress.warmUpThread().join(WAIT.toMillis());
      assertThat(noAddress.runtime().warmUp()).isFalse();
    } finally {
      driver.stop();
      disabled.stop();
      noAddress.stop();
    }
  }

  @Test
  void anUnreachableMetadataServerLeavesTheExecutorUpAndUnconnected() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    String nowhere = "127.0.0.1:" + closedPort;
    DovetailShuffleManager m = new DovetailShuffleManager(conf(nowhere), false);
    try {
      m.warmUpThread().join(WAIT.toMillis());
      assertThat(m.warmUpThread().isAlive()).isFalse();
      assertThat(m.runtime().hasClient(nowhere)).isTrue();
      assertThat(m.runtime().client(nowhere).metadata().connected()).isFalse();
    } finally {
      m.stop();
    }
    assertThat(m.runtime().hasClient(nowhere)).isFalse();
  }

  @Test
  void anExecutorStoppedWhileWarmingUpKeepsNoClient() throws Exception {
    // Stopped at once: the warm-up finds the runtime stopped, or runs into close(), or finishes
    // first; each way no client outlives the stop.
    DovetailShuffleManager m = new DovetailShuffleManager(conf(address), false);
    m.stop();
    m.warmUpThread().join(WAIT.toMillis());
    assertThat(m.warmUpThread().isAlive()).isFalse();
    assertThat(m.runtime().hasClient(address)).isFalse();
  }
}
