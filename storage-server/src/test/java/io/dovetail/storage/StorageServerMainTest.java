package io.dovetail.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.dovetail.testkit.TestDirs;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The command line: bad configuration is one line on stderr and status 2. */
class StorageServerMainTest {

  /** Runs the main logic in-process (it returns before starting anything on these inputs). */
  private static Result run(String... args) {
    PrintStream saved = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      int code = StorageServerMain.run(args);
      return new Result(code, err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(saved);
    }
  }

  private record Result(int code, String stderr) {
    void isConfigError(String... fragments) {
      assertThat(code).isEqualTo(2);
      assertThat(stderr.strip().lines().count()).as("one line: %s", stderr).isEqualTo(1);
      for (String f : fragments) {
        assertThat(stderr).contains(f);
      }
    }
  }

  @Test
  void invalidValueNamesTheKey() {
    run("-c", "dovetail.storage.memoryLimit=banana")
        .isConfigError("dovetail.storage.memoryLimit", "banana");
  }

  @Test
  void unknownStorageKeyIsATypoNotSilence() {
    run("-c", "dovetail.storage.memroyLimit=8m").isConfigError("dovetail.storage.memroyLimit");
    // A mistyped group: the server used to run standalone, never registering.
    run("-c", "dovetail.metdata.address=h:9300").isConfigError("dovetail.metdata.address");
    run("-c", "dovetail.tls.enable=true").isConfigError("dovetail.tls.enable");
  }

  @Test
  void memoryLimitMustHoldTwoFrames() {
    run("-c", "dovetail.storage.memoryLimit=1m", "-c", "dovetail.transport.maxFrameSize=1m")
        .isConfigError("dovetail.storage.memoryLimit", "2.5 times");
  }

  /**
   * A budget the JVM's direct memory cannot back is refused at start: it used to start with a
   * warning and then, under load, fail allocations, losing partitions and resetting connections.
   */
  @Test
  void memoryLimitMustFitInTheDirectMemory() {
    long direct = io.netty.util.internal.PlatformDependent.maxDirectMemory();
    run("-c", "dovetail.storage.memoryLimit=" + (direct / (1 << 20) * 2) + "m")
        .isConfigError("dovetail.storage.memoryLimit", "-XX:MaxDirectMemorySize");
    StorageServerMain.checkDirectMemory(1L << 30, 2L << 30); // the launcher's defaults
    StorageServerMain.checkDirectMemory(512L << 20, 1L << 30); // the demo's
    org.assertj.core.api.Assertions.assertThatThrownBy(
        () -> StorageServerMain.checkDirectMemory(8L << 30, 2L << 30))
        .hasMessageContaining("at least 9.1");
  }

  @Test
  void badMetadataAddressIsAConfigError() {
    run("--conf", "dovetail.metadata.address=nohost").isConfigError("host:port");
  }

  @Test
  void unknownOptionAndMissingFileAreConfigErrors() {
    run("--bogus").isConfigError("--bogus");
    run("--conf-file", "/nonexistent/storage.properties").isConfigError("/nonexistent");
    run("-c", "novalue").isConfigError("novalue");
  }

  @Test
  void confFileIsReadAndOverridden() throws Exception {
    Path f = TestDirs.create("main").resolve("s.properties");
    Files.writeString(f, "dovetail.storage.memoryLimit=8m\ndovetail.storage.port=-5\n");
    run("--conf-file", f.toString()).isConfigError("dovetail.storage.port");
  }

  /** A server that never served leaves a port file given to it alone (it may be another's). */
  @Test
  void aServerThatDoesNotStartLeavesThePortFileAlone() throws Exception {
    Path f = TestDirs.create("main").resolve("port");
    Files.writeString(f, "12345\n");
    run("--port-file", f.toString(), "-c", "dovetail.storage.port=-5")
        .isConfigError("dovetail.storage.port");
    assertThat(f).hasContent("12345");
  }
}
