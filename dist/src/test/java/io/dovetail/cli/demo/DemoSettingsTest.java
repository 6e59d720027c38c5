package io.dovetail.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.dovetail.cli.CliRunAccess;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DemoSettingsTest {

  @Test
  void portsAreConsecutiveFromTheBase() {
    DemoSettings s = new DemoSettings(1L << 30, 16, Path.of("w"), false, 20000, null, "1g", 1, 1);
    assertThat(s.metadataPort()).isEqualTo(20000);
    assertThat(s.storagePort(0)).isEqualTo(20001);
    assertThat(s.storagePort(1)).isEqualTo(20002);
    assertThat(s.masterPort()).isEqualTo(20003);
    assertThat(s.masterUiPort()).isEqualTo(20004);
    assertThat(s.masterUrl()).isEqualTo("spark://127.0.0.1:20003");
    assertThat(s.records()).isEqualTo((1L << 30) / 100);
  }

  @Test
  void defaultPartitionsAreOnePer64MiBAndAtLeastTwo() {
    assertThat(DemoSettings.defaultPartitions(1L << 20)).isEqualTo(2);
    assertThat(DemoSettings.defaultPartitions(1L << 30)).isEqualTo(16);
    assertThat(DemoSettings.defaultPartitions((1L << 30) + 1)).isEqualTo(17);
  }

  /** The cheap end-to-end check: a busy port stops the demo before it starts anything. */
  @Test
  void theDemoRefusesABusyPortNamingItAndStartsNothing() throws Exception {
    Path work = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "busy");
    try (ServerSocket held = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      int base = held.getLocalPort() - 1;
      long childrenBefore = ProcessHandle.current().children().count();
      CliRunAccess.Result r = CliRunAccess.run("demo", "--port-base", Integer.toString(base),
          "--work-dir", work.toString());
      assertThat(r.status()).isEqualTo(1);
      assertThat(r.err()).contains("dovetail demo: port " + held.getLocalPort()
          + " on 127.0.0.1 (for the Dovetail storage server 0) is in use by pid "
          + ProcessHandle.current().pid());
      assertThat(r.out()).isEmpty();
      assertThat(ProcessHandle.current().children().count()).isEqualTo(childrenBefore);
      try (var files = Files.list(work)) {
        assertThat(files).isEmpty();
      }
    }
  }
}
