package io.dovetail.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dovetail.common.ErrorCode;
import io.dovetail.common.config.CommonConfig;
import io.dovetail.common.config.DovetailConf;
import io.dovetail.common.protocol.PushResponse;
import io.dovetail.proto.LostPartition;
import io.dovetail.proto.ServerHeartbeatRequest;
import io.dovetail.testkit.Await;
import io.dovetail.testkit.NettyLeakDetectionExtension;
import io.dovetail.testkit.TestDirs;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A directory over its configured capacity, and a real file system that fills up. */
@ExtendWith(NettyLeakDetectionExtension.class)
class DiskFullTest {

  @Test
  void directoryOverItsCapacityAnswersDiskFullBeforeTheAck() {
    DovetailConf conf = TestServers.standalone("capacity")
        .set(StorageConfig.DIR_CAPACITY.key(), "256k");
    Random rnd = new Random(1);
    try (StorageServer server = TestServers.start(conf);
         DataPlaneClient client = new DataPlaneClient(conf, "127.0.0.1", server.dataPort())) {
      List<TestBatch> accepted = new ArrayList<>();
      ErrorCode refused = null;
      for (int i = 0; i < 40 && refused == null; i++) {
        TestBatch b = TestBatch.random(rnd, 0, 0, 1, i, 20_000);
        PushResponse r = client.push("app-cap", 1, 0, List.of(b));
        if (r.isOk()) {
          accepted.add(b);
        } else {
          refused = r.failures().get(0).code();
          assertThat(r.message()).contains("DISK_FULL");
        }
      }
      assertThat(refused).isEqualTo(ErrorCode.DISK_FULL);
      assertThat(accepted.size()).isBetween(8, 13);
      // The server stays up and serves what it accepted.
      client.seal("app-cap", 1, 0);
      StorageServerRoundTripTest.assertSameBatches(
          client.readAll("app-cap", 1, 0, 0).batches(), accepted);
      assertThat(client.push("app-cap", 2, 0, List.of(TestBatch.random(rnd, 0, 0, 1, 0,
          100_000))).failures()).extracting(PushResponse.Failure::code)
          .containsExactly(ErrorCode.DISK_FULL);
    }
  }

  @Test
  void realFullDiskFailsTheFlushReportsTheFileLostAndKeepsServing() throws Exception {
    Path mount = TestDirs.create("tmpfs");
    Assumptions.assumeTrue(mountTmpfs(mount), "cannot mount a 4m tmpfs at " + mount
        + " (needs root or CAP_SYS_ADMIN); the full-disk test is skipped");
    try (FakeRegistry registry = new FakeRegistry(1, 100)) {
      DovetailConf conf = TestServers.conf(mount)
          .set(CommonConfig.METADATA_ADDRESS.key(), registry.address())
          .set(StorageConfig.PARTITION_FLUSH_THRESHOLD.key(), "8m")
          .set(StorageConfig.DISK_CHECK_INTERVAL.key(), "1h");
      Random rnd = new Random(2);
      try (StorageServer server = TestServers.start(conf);
           DataPlaneClient client = new DataPlaneClient(conf, "127.0.0.1", server.dataPort())) {
        long inc = server.incarnation();
        TestBatch early = TestBatch.random(rnd, 9, 0, 1, 0, 10_000);
        assertThat(client.push("app-full", 1, inc, List.of(early)).isOk()).isTrue();
        client.seal("app-full", 1, 9);

        // Fill the file system behind the server's back: its free-space figure is now stale.
        fill(mount.resolve("filler"));
        List<TestBatch> doomed = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          doomed.add(TestBatch.random(rnd, 0, 0, 1, i, 300_000));
        }
        assertThat(client.push("app-full", 1, inc, doomed).isOk()).as("accepted in memory")
            .isTrue();
        assertThatThrownBy(() -> client.seal("app-full", 1, 0))
            .hasMessageContaining("STORAGE_IO_ERROR");
        assertThat(client.push("app-full", 1, inc, List.of(TestBatch.random(rnd, 0, 0, 1, 3,
            10))).failures()).extracting(PushResponse.Failure::code)
            .containsExactly(ErrorCode.STORAGE_IO_ERROR);
        // A new file finds no room: the failure re-measured the disk.
        assertThat(client.push("app-full", 1, inc, List.of(TestBatch.random(rnd, 1, 0, 1, 0,
            10_000))).failures()).extracting(PushResponse.Failure::code)
            .containsExactly(ErrorCode.DISK_FULL);
        ServerHeartbeatRequest hb = Await.value(Duration.ofSeconds(20), "a heartbeat with lost",
            () -> registry.heartbeats.stream().filter(h -> h.getLostCount() > 0).findFirst()
                .orElse(null));
        assertThat(hb.getLostList()).containsExactly(LostPartition.newBuilder()
            .setAppId("app-full").setShuffleId(1).setPartition(0).setEpoch(0).build());
        assertThat(server.memoryUsedBytes()).isZero();
        // Still serving: the file sealed before the disk filled reads back intact.
        StorageServerRoundTripTest.assertSameBatches(
            client.readAll("app-full", 1, 9, inc).batches(), List.of(early));
      }
    } finally {
      unmount(mount);
    }
  }

  private static void fill(Path file) throws IOException {
    byte[] block = new byte[64 * 1024];
    try (OutputStream out = Files.newOutputStream(file)) {
      while (true) {
        out.write(block);
      }
    } catch (IOException e) {
      // No space left: that was the point.
    }
    try (OutputStream out = Files.newOutputStream(file.resolveSibling("filler-tail"))) {
      for (int i = 0; i < 64; i++) {
        out.write(block, 0, 1024);
      }
    } catch (IOException e) {
      // Full to the last block.
    }
  }

  private static boolean mountTmpfs(Path dir) {
    try {
      Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs",
          dir.toString()).redirectErrorStream(true).start();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static void unmount(Path dir) throws Exception {
    Process p = new ProcessBuilder("umount", dir.toString()).redirectErrorStream(true).start();
    p.waitFor(30, TimeUnit.SECONDS);
  }
}
