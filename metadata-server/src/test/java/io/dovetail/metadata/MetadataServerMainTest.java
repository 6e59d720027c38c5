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

  @Test
  void portFileIsReplacedAtomically() throws Exception {
    Path file = TestDirs.create("main").resolve("sub/port");
    MetadataServerMain.writePortFile(file, 1234);
    assertThat(Files.readString(file).trim()).isEqualTo("1234");
    MetadataServerMain.writePortFile(file, 4321);
    assertThat(Files.readString(file).trim()).isEqualTo("4321");
    try (var list = Files.list(file.getParent())) {
      assertThat(list.map(p -> p.getFileName().toString())).containsExactly("port");
    }
  }
}
