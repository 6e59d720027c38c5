package io.dovetail.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dovetail.cli.CommandFailedException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class PortsTest {

  @Test
  void aBusyPortIsNamedWithItsRoleAndTheProcessHoldingIt() throws Exception {
    try (ServerSocket held = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      int port = held.getLocalPort();
      assertThat(Ports.isFree("127.0.0.1", port)).isFalse();
      assertThatThrownBy(() -> Ports.requireFree("127.0.0.1",
          List.of(new Ports.Use(port, "Spark master"))))
          .isInstanceOf(CommandFailedException.class)
          .hasMessageContaining("port " + port + " on 127.0.0.1 (for the Spark master) is in use "
              + "by pid " + ProcessHandle.current().pid() + " (java ")
          .hasMessageContaining("choose other ports with --port-base");
    }
  }

  @Test
  void freePortsPass() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Ports.requireFree("127.0.0.1", List.of(new Ports.Use(port, "test")));
  }

  @Test
  void listeningSocketsAreReadFromTheKernelTable() throws Exception {
    Path table = Files.createTempFile("tcp", "");
    Files.writeString(table, String.join("\n",
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
            + "timeout inode",
        "   0: 0100007F:4B64 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0   "
            + "     0 123456 1 0000000000000000 100 0 0 10 0",
        "   1: 0100007F:4B64 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0   "
            + "     0 654321 1 0000000000000000 100 0 0 10 0"));
    assertThat(Ports.listeningInodes(table, 0x4B64)).containsExactly("123456");
    assertThat(Ports.listeningInodes(table, 80)).isEmpty();
    assertThat(Ports.listeningInodes(Path.of("/no/such/table"), 80)).isEmpty();
  }
}
