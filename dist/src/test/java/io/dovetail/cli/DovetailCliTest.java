package io.dovetail.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Command lines that are wrong get picocli's usage and status 2, without doing anything. */
class DovetailCliTest {

  @Test
  void helpListsEverySubcommand() {
    CliRun r = CliRun.of("--help");
    assertThat(r.status()).isZero();
    assertThat(r.out()).contains("metadata-server", "storage-server", "status", "drain", "demo");
  }

  @Test
  void noSubcommandIsAUsageError() {
    CliRun r = CliRun.of();
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.err()).contains("Missing subcommand", "Usage: dovetail");
  }

  @Test
  void anUnknownSubcommandIsAUsageError() {
    CliRun r = CliRun.of("stauts");
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.err()).contains("Unmatched argument", "stauts", "Did you mean: dovetail status");
  }

  @Test
  void statusWithoutAMetadataServerIsAUsageError() {
    CliRun r = CliRun.of("status");
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.err()).contains("no metadata server: pass --metadata host:port",
        "Usage: dovetail status");
  }

  @Test
  void aMalformedAddressIsAUsageError() {
    CliRun r = CliRun.of("status", "--metadata", "localhost");
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.err()).contains("expected host:port, got 'localhost'");
    r = CliRun.of("drain", "--metadata", "127.0.0.1:9", "not-an-address");
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.err()).contains("expected host:port", "Usage: dovetail drain");
  }

  /** A bad value is a usage error naming its key (it was a stack trace and status 1). */
  @Test
  void aBadConfigurationValueIsAUsageError() {
    CliRun r = CliRun.of("status", "--metadata", "127.0.0.1:9", "-c", "dovetail.rpc.timeout=abc");
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.err()).contains("dovetail.rpc.timeout").doesNotContain("\tat ");
    r = CliRun.of("undrain", "--metadata", "127.0.0.1:9", "-c",
        "dovetail.auth.secret=sch\u00fcssel", "127.0.0.1:9400");
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.err()).contains("dovetail.auth.secret").doesNotContain("sch\u00fcssel");
  }

  @Test
  void drainNeedsTheServer() {
    CliRun r = CliRun.of("drain", "--metadata", "127.0.0.1:9");
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.err()).contains("Missing required parameter: '<host:port>'");
  }

  @Test
  void unknownOptionsAndBadValuesAreUsageErrors() {
    assertThat(CliRun.of("status", "--metadata", "127.0.0.1:9", "--jsn").status()).isEqualTo(2);
    CliRun r = CliRun.of("demo", "--size", "lots");
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.err()).contains("--size: 'lots' is not a size", "Usage: dovetail demo");
    r = CliRun.of("demo", "--port-base", "80");
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.err()).contains("--port-base must be between 1024 and 65531");
    assertThat(CliRun.of("demo", "--replication", "3").err())
        .contains("--replication must be 1 or 2");
    assertThat(CliRun.of("demo", "--executor-memory", "100m").err())
        .contains("--executor-memory must be at least 512m");
    assertThat(CliRun.of("storage-server", "--conf").status()).isEqualTo(2);
  }

  @Test
  void anUnreachableMetadataServerFailsWithOneLine() {
    CliRun r = CliRun.of("status", "--metadata", "127.0.0.1:1");
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.err().strip()).startsWith("dovetail status: cannot get the status from the "
        + "metadata server at 127.0.0.1:1: unreachable").doesNotContain("\n");
  }
}
