package io.dovetail.common.util;

import static org.assertj.core.api.Assertions.assertThat;

import io.dovetail.testkit.TestDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PortFilesTest {

  @Test
  void aPortFileIsReplacedAtomicallyAndRemoved() throws Exception {
    Path file = TestDirs.create("port-files").resolve("sub/port");
    PortFiles.write(file, 1234);
    assertThat(Files.readString(file).trim()).isEqualTo("1234");
    PortFiles.write(file, 4321);
    assertThat(Files.readString(file).trim()).isEqualTo("4321");
    try (var list = Files.list(file.getParent())) {
      assertThat(list.map(p -> p.getFileName().toString())).containsExactly("port");
    }
    PortFiles.deleteIfOwned(file, 1234);
    assertThat(file).as("another run's port: kept").exists();
    PortFiles.deleteIfOwned(file, 4321);
    assertThat(file).doesNotExist();
    PortFiles.deleteIfOwned(file, 4321); // already gone: nothing to report
  }
}
