package io.dovetail.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import io.dovetail.testkit.TestDirs;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Command-line and configuration errors, without starting a process. */
class MetadataServerMainTest {

  private record Result(int code, String err) {}

  private static Result run(String... args) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    int code = MetadataServerMain.run(args, err);
    return new Result(code, bytes.toString(StandardCharsets.UTF_8));
  }

  @Test
  void invalidValueIsOneClearLineAndExitCode2() {
    Result r = run("-c", "dovetail.metadata.port=not-a-port");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err().strip()).doesNotContain("\n").contains("dovetail.metadata.port")
        .contains("not-a-port");
  }

  @Test
  void invalidValueOfAnotherModulesKeyIsRejectedToo() {
    Result r = run("-c", "dovetail.transport.ioMode=TURBO");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("dovetail.transport.ioMode");
  }

  /**
   * A typo is refused, not warned about: with dovetail.metadata.dbdir the server used to start
   * and keep its state under ./data/metadata of whatever directory it ran in. Keys of other
   * processes (a shared configuration file) are accepted.
   */
  @Test
  void aMistypedKeyIsExitCode2() {
    for (String typo : new String[] {"dovetail.metadata.dbdir=/var/lib/x",
        "dovetail.metdata.port=9300", "dovetail.transport.ioMod=NIO"}) {
      // Were the typo accepted, the server would fail to start (exit 1) on this directory.
      Result r = run("-c", typo, "-c", "dovetail.metadata.dbDir=/proc/no-such-dir/db");
      assertThat(r.code()).as(typo).isEqualTo(2);
      assertThat(r.err()).contains("unknown configuration key " + typo.split("=")[0]);
    }
    Result shared = run("-c", "dovetail.client.push.retryWait=1s",
        "-c", "dovetail.metadata.port=not-a-port");
    assertThat(shared.err()).as("a client key is no error here")
        .doesNotContain("dovetail.client").contains("dovetail.metadata.port");
  }

  @Test
  void timingsThatCannotSurviveAMissedHeartbeatAreExitCode2() {
    Result r = run("-c", "dovetail.metadata.server.heartbeatInterval=2s",
        "-c", "dovetail.metadata.server.heartbeatTimeout=3s");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err().strip()).doesNotContain("\n")
        .contains("dovetail.metadata.server.heartbeatTimeout", "3000 ms",
            "dovetail.metadata.server.heartbeatInterval", "2000 ms");
  }

  @Test
  void malformedOverrideAndMissingFileAreExitCode2() {
    Result noEquals = run("-c", "dovetail.metadata.port");
    assertThat(noEquals.code()).isEqualTo(2);
    assertThat(noEquals.err()).contains("key=value");
    Result missing = run("--conf-file", "/nonexistent/dovetail.properties");
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err()).contains("does not exist");
  }

  @Test
  void badValueInTheFileIsReported() throws Exception {
    Path file = TestDirs.create("main").resolve("bad.properties");
    Files.writeString(file, "dovetail.metadata.threads=0\n");
    Result r = run("--conf-file", file.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("dovetail.metadata.threads");
  }

  @Test
  void unknownOptionIsAUsageError() {
    assertThat(run("--frobnicate").code()).isEqualTo(2);
  }

  /**
   * A server that failed to start leaves a port file given to it alone: with the same path as a
   * running server (a second start on a locked store), it is the running server's.
   */
  @Test
  void aServerThatCannotStartLeavesThePortFileAlone() throws Exception {
    Path file = TestDirs.create("main").resolve("port");
    Files.writeString(file, "2222\n");
    Result r = run("--port-file", file.toString(), "-c", "dovetail.metadata.port=0",
        "-c", "dovetail.metadata.dbDir=/proc/no-such-dir/db");
    assertThat(r.code()).isEqualTo(1);
    assertThat(file).hasContent("2222");
  }
}
