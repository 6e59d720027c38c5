package io.dovetail.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dovetail.common.ErrorCode;
import io.dovetail.common.config.DovetailConf;
import io.dovetail.common.protocol.BatchHeader;
import io.dovetail.common.protocol.PushResponse;
import io.dovetail.testkit.MetricsScrape;
import io.dovetail.testkit.NettyLeakDetectionExtension;
import java.io.IOException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The storage server's Prometheus endpoint counts what a client did to it over real sockets. */
@ExtendWith(NettyLeakDetectionExtension.class)
class StorageMetricsTest {

  @Test
  void countsPushesRefusalsFlushesAndReads() {
    DovetailConf conf = TestServers.standalone("metrics")
        .set(StorageConfig.METRICS_PORT.key(), "0");
    StorageServer server = TestServers.start(conf);
    int metricsPort = server.metricsPort();
    try (DataPlaneClient client = new DataPlaneClient(conf, "127.0.0.1", server.dataPort())) {
      assertThat(metricsPort).isPositive();
      Random rnd = new Random(5);
      List<TestBatch> batches = new ArrayList<>();
      long payload = 0;
      long onDisk = 0;
      for (int p = 0; p < 3; p++) {
        for (int seq = 0; seq < 10; seq++) {
          TestBatch b = TestBatch.random(rnd, p, 0, 1, seq, 1 + rnd.nextInt(40_000));
          batches.add(b);
          payload += b.payload().length;
          onDisk += BatchHeader.SIZE + b.payload().length;
        }
      }
      for (int i = 0; i < batches.size(); i += 5) {
        StorageServerRoundTripTest.assertOk(client.push("app-m", 1, 0, batches.subList(i, i + 5)));
      }
      // One batch whose payload no longer matches its checksum.
      TestBatch bad = TestBatch.random(rnd, 0, 0, 1, 99, 100);
      var req = DataPlaneClient.pushRequest("app-m", 1, 0, List.of(), List.of(bad));
      req.payloads().setByte(7, req.payloads().getByte(7) ^ 1);
      PushResponse refused = (PushResponse) client.transport().requestSync(req);
      assertThat(refused.code()).isEqualTo(ErrorCode.CHECKSUM_MISMATCH);
      client.seal("app-m", 1, 0, 1, 2);
      long read = 0;
      for (int p = 0; p < 3; p++) {
        read += client.readAll("app-m", 1, p, 0).bytes();
      }

      MetricsScrape m = MetricsScrape.of(metricsPort);
      assertThat(m.value("dovetail_storage_pushed_batches_total{role=\"primary\"}"))
          .isEqualTo(batches.size());
      assertThat(m.value("dovetail_storage_pushed_bytes_total{role=\"primary\"}"))
          .isEqualTo(payload);
      assertThat(m.value("dovetail_storage_pushed_bytes_total{role=\"replica\"}")).isZero();
      assertThat(m.value("dovetail_storage_refused_batches_total{code=\"CHECKSUM_MISMATCH\"}"))
          .isEqualTo(1);
      assertThat(m.value("dovetail_storage_flushed_bytes_total")).isEqualTo(onDisk);
      assertThat(m.value("dovetail_storage_flush_errors_total")).isZero();
      assertThat(m.value("dovetail_storage_flushing_bytes")).isZero();
      assertThat(m.value("dovetail_storage_streams_opened_total")).isEqualTo(3);
      assertThat(m.value("dovetail_storage_served_bytes_total")).isEqualTo(read);
      assertThat(read).isEqualTo(onDisk);
      assertThat(m.value("dovetail_storage_partition_files{state=\"sealed\"}")).isEqualTo(3);
      assertThat(m.value("dovetail_storage_partition_files{state=\"open\"}")).isZero();
      assertThat(m.value("dovetail_storage_shuffles")).isEqualTo(1);
      assertThat(m.value("dovetail_storage_memory_limit_bytes")).isEqualTo(8 << 20);
      assertThat(m.value("dovetail_storage_memory_peak_bytes"))
          .isPositive().isLessThanOrEqualTo(8 << 20);
      assertThat(m.value("dovetail_storage_memory_waiting_bytes")).isZero();
      assertThat(m.value("dovetail_storage_connections")).isEqualTo(1);
      assertThat(m.value("dovetail_storage_incarnation")).isZero();
      String dir = conf.get(StorageConfig.DIRS).get(0);
      assertThat(m.value("dovetail_storage_dir_healthy{dir=\"" + dir + "\"}")).isEqualTo(1);
      assertThat(m.value("dovetail_storage_dir_used_bytes{dir=\"" + dir + "\"}"))
          .isGreaterThanOrEqualTo(onDisk);
      assertThat(m.text()).contains("dovetail_build_info{component=\"storage-server\"")
          .contains("jvm_memory_used_bytes");
    } finally {
      server.close();
    }
    assertThatThrownBy(() -> new Socket("127.0.0.1", metricsPort).close())
        .as("the endpoint stops with the server").isInstanceOf(IOException.class);
  }

  @Test
  void noEndpointUnlessAPortIsConfigured() {
    StorageServer server = TestServers.start(TestServers.standalone("no-metrics"));
    try {
      assertThat(server.metricsPort()).isEqualTo(-1);
    } finally {
      server.close();
    }
  }

  @Test
  void aBadPortIsRefusedByName() {
    assertThatThrownBy(() -> new StorageServer(TestServers.standalone("bad-metrics")
        .set(StorageConfig.METRICS_PORT.key(), "-2")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dovetail.storage.metricsPort");
  }
}
