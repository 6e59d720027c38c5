package io.dovetail.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dovetail.common.config.CommonConfig;
import io.dovetail.common.config.DovetailConf;
import io.dovetail.proto.RegisterServerRequest;
import io.dovetail.proto.SealedPartition;
import io.dovetail.testkit.Await;
import io.dovetail.testkit.JavaProcess;
import io.dovetail.testkit.NettyLeakDetectionExtension;
import io.dovetail.testkit.PortFile;
import io.dovetail.testkit.TestDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * StorageServerMain as a real process against a fake registry: kill -9 and restart on the same
 * directories keeps sealed files (re-registered with the incarnation that wrote them, readable
 * under the new one) and drops unsealed ones.
 */
@ExtendWith(NettyLeakDetectionExtension.class)
class StorageServerRestartIT {
  private static final Duration START = Duration.ofSeconds(60);

  private static JavaProcess startServer(String name, Path dataDir, Path portFile,
      FakeRegistry registry) {
    return JavaProcess.builder(StorageServerMain.class.getName())
        .name(name)
        .args("-c", "dovetail.storage.host=127.0.0.1", "-c", "dovetail.storage.port=0",
            "-c", "dovetail.storage.dirs=" + dataDir,
            "-c", "dovetail.storage.memoryLimit=8m",
            "-c", "dovetail.transport.maxFrameSize=1m",
            "-c", "dovetail.storage.partitionFlushThreshold=64k",
            "-c", "dovetail.storage.readChunkSize=64k",
            "-c", "dovetail.storage.diskReserve=0",
            "-c", "dovetail.storage.ioThreads=2",
            "-c", "dovetail.metadata.address=" + registry.address(),
            "--port-file", portFile.toString())
        .start();
  }

  @Test
  void sealedFilesSurviveKill9AndUnsealedFilesAreGone() throws Exception {
    Path base = TestDirs.create("restart-it");
    Path data = base.resolve("data");
    DovetailConf clientConf = new DovetailConf()
        .set(CommonConfig.MAX_FRAME_SIZE.key(), "1m")
        .set(CommonConfig.CLIENT_THREADS.key(), "1");
    Random rnd = new Random(21);
    List<TestBatch> sealed = new ArrayList<>();
    try (FakeRegistry registry = new FakeRegistry(100, 200)) {
      long firstIncarnation;
      try (JavaProcess first = startServer("storage-1", data, base.resolve("port-1"), registry)) {
        int port = PortFile.await(base.resolve("port-1"), first, START);
        firstIncarnation = registry.lastIncarnation();
        try (DataPlaneClient client = new DataPlaneClient(clientConf, "127.0.0.1", port)) {
          for (int i = 0; i < 20; i++) {
            sealed.add(TestBatch.random(rnd, 0, i % 4, 9, i, rnd.nextInt(20_000)));
          }
          assertThat(client.push("app-restart", 1, firstIncarnation, sealed).isOk()).isTrue();
          client.seal("app-restart", 1, 0);
          List<TestBatch> unsealed = new ArrayList<>();
          for (int i = 0; i < 10; i++) {
            unsealed.add(TestBatch.random(rnd, 1, 0, 9, i, 30_000));
          }
          assertThat(client.push("app-restart", 1, firstIncarnation, unsealed).isOk()).isTrue();
        }
        Path unsealedFile = data.resolve("app-restart/1/1-0.data");
        Await.until(Duration.ofSeconds(20), "unsealed data on disk",
            () -> Files.exists(unsealedFile));
        first.kill9();
      }

      try (JavaProcess second = startServer("storage-2", data, base.resolve("port-2"),
          registry)) {
        int port = PortFile.await(base.resolve("port-2"), second, START);
        long incarnation = registry.lastIncarnation();
        assertThat(incarnation).isEqualTo(firstIncarnation + 1);
        RegisterServerRequest reg = registry.registrations.get(1);
        assertThat(reg.getDataPort()).isEqualTo(port);
        assertThat(reg.getSealedList()).singleElement().satisfies(s -> {
          assertThat(s.getAppId()).isEqualTo("app-restart");
          assertThat(s.getShuffleId()).isEqualTo(1);
          assertThat(s.getPartition()).isZero();
          assertThat(s.getEpoch()).isZero();
          assertThat(s.getIncarnation()).isEqualTo(firstIncarnation);
          assertThat(s.getBytes()).isEqualTo(sizeOf(data.resolve("app-restart/1/0-0.data")));
        });
        assertThat(data.resolve("app-restart/1/1-0.data")).doesNotExist();
        try (DataPlaneClient client = new DataPlaneClient(clientConf, "127.0.0.1", port)) {
          StorageServerRoundTripTest.assertSameBatches(
              client.readAll("app-restart", 1, 0, incarnation).batches(), sealed);
          assertThatThrownBy(() -> client.open("app-restart", 1, 1, incarnation, 0, 10, null,
              null)).hasMessageContaining("UNKNOWN_PARTITION");
          assertThatThrownBy(() -> client.open("app-restart", 1, 0, firstIncarnation, 0, 10,
              null, null)).hasMessageContaining("STALE_INCARNATION");
        }
        // SIGTERM closes cleanly.
        second.stop(Duration.ofSeconds(30));
        assertThat(second.isAlive()).isFalse();
        assertThat(second.log()).contains("closing");
        assertThat(second.log()).doesNotContain("halting");
      }
      assertThat(registry.registrations.get(0).getSealedList()).isEmpty();
      assertThat(registry.registrations.get(1).getSealedList())
          .extracting(SealedPartition::getPartition).containsExactly(0);
    }
  }

  private static long sizeOf(Path p) {
    try {
      return Files.size(p);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
