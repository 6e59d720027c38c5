package io.dovetail.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dovetail.common.config.CommonConfig;
import io.dovetail.common.config.DovetailConf;
import io.dovetail.common.rpc.Rpc;
import io.dovetail.common.util.HostPort;
import io.dovetail.proto.AdminServiceGrpc;
import io.dovetail.proto.ApplicationHeartbeatRequest;
import io.dovetail.proto.DrainServerRequest;
import io.dovetail.proto.MetadataServiceGrpc;
import io.dovetail.proto.RegisterApplicationRequest;
import io.dovetail.proto.RegisterServerRequest;
import io.dovetail.proto.RegisterShuffleRequest;
import io.dovetail.proto.StorageRegistryGrpc;
import io.dovetail.testkit.MetricsScrape;
import io.dovetail.testkit.TestDirs;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The metadata server's Prometheus endpoint over real sockets. */
class MetadataMetricsTest {
  private static final String SECRET = "s3cret";

  @Test
  void countsCallsByOutcomeAndReportsTheClusterState() {
    DovetailConf conf = new DovetailConf()
        .set(MetadataConfig.HOST.key(), "127.0.0.1")
        .set(MetadataConfig.PORT.key(), "0")
        .set(MetadataConfig.METRICS_PORT.key(), "0")
        .set(MetadataConfig.DB_DIR.key(), TestDirs.create("metadata-metrics").toString())
        .set(MetadataConfig.THREADS.key(), "2")
        .set(CommonConfig.AUTH_SECRET.key(), SECRET);
    MetadataServer server = new MetadataServer(conf).start();
    int metricsPort = server.metricsPort();
    ManagedChannel channel = Rpc.channel(new HostPort("127.0.0.1", server.port()), conf);
    ManagedChannel intruder = Rpc.channel(new HostPort("127.0.0.1", server.port()),
        conf.copy().set(CommonConfig.AUTH_SECRET.key(), "wrong"));
    try {
      assertThat(metricsPort).isPositive();
      var registry = StorageRegistryGrpc.newBlockingStub(channel)
          .withDeadlineAfter(30, TimeUnit.SECONDS);
      var meta = MetadataServiceGrpc.newBlockingStub(channel)
          .withDeadlineAfter(30, TimeUnit.SECONDS);
      for (String host : new String[] {"h1", "h2", "h3"}) {
        registry.registerServer(RegisterServerRequest.newBuilder().setHost(host)
            .setDataPort(7000).setMemoryLimitBytes(1 << 30).build());
      }
      AdminServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
          .drainServer(DrainServerRequest.newBuilder().setHost("h3").setDataPort(7000).build());
      meta.registerApplication(RegisterApplicationRequest.newBuilder().setAppId("app-1").build());
      for (int shuffle = 0; shuffle < 2; shuffle++) {
        meta.registerShuffle(RegisterShuffleRequest.newBuilder().setAppId("app-1")
            .setShuffleId(shuffle).setNumMaps(2).setNumPartitions(4).setReplication(2).build());
      }
      assertThatThrownBy(() -> meta.applicationHeartbeat(
          ApplicationHeartbeatRequest.newBuilder().setAppId("nobody").build()))
          .isInstanceOf(StatusRuntimeException.class);
      assertThatThrownBy(() -> MetadataServiceGrpc.newBlockingStub(intruder)
          .withDeadlineAfter(30, TimeUnit.SECONDS)
          .registerApplication(RegisterApplicationRequest.newBuilder().setAppId("x").build()))
          .isInstanceOf(StatusRuntimeException.class);

      MetricsScrape m = MetricsScrape.of(metricsPort);
      assertThat(m.value(calls("RegisterServer", "NONE"))).isEqualTo(3);
      assertThat(m.value(calls("RegisterShuffle", "NONE"))).isEqualTo(2);
      assertThat(m.value(calls("ApplicationHeartbeat", "UNKNOWN_APPLICATION"))).isEqualTo(1);
      assertThat(m.value(calls("RegisterApplication", "AUTH_FAILED"))).isEqualTo(1);
      assertThat(m.value(calls("RegisterApplication", "NONE"))).isEqualTo(1);
      assertThat(m.value("dovetail_rpc_duration_seconds_count{method=\"RegisterShuffle\"}"))
          .isEqualTo(2);
      assertThat(m.value("dovetail_metadata_storage_servers{state=\"active\"}")).isEqualTo(2);
      assertThat(m.value("dovetail_metadata_storage_servers{state=\"draining\"}")).isEqualTo(1);
      assertThat(m.value("dovetail_metadata_storage_servers{state=\"dead\"}")).isZero();
      assertThat(m.value("dovetail_metadata_applications")).isEqualTo(1);
      assertThat(m.value("dovetail_metadata_shuffles")).isEqualTo(2);
      assertThat(m.value("dovetail_metadata_shuffle_index_bytes"))
          .isEqualTo(server.state().shuffleIndexBytes()).isPositive();
      assertThat(m.value("dovetail_metadata_shuffle_index_limit_bytes")).isEqualTo(256 << 20);
      assertThat(m.text()).contains("dovetail_build_info{component=\"metadata-server\"")
          .contains("jvm_threads_current");
    } finally {
      Rpc.shutdown(intruder);
      Rpc.shutdown(channel);
      server.close();
    }
    assertThat(server.metricsPort()).isEqualTo(-1);
    assertThatThrownBy(() -> new Socket("127.0.0.1", metricsPort).close())
        .as("the endpoint stops with the server").isInstanceOf(IOException.class);
  }

  private static String calls(String method, String code) {
    return "dovetail_rpc_calls_total{code=\"" + code + "\",method=\"" + method + "\"}";
  }
}
