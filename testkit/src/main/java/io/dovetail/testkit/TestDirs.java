package io.dovetail.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Fresh directories under {@code target/tmp} (java.io.tmpdir in this build), kept for post-mortems. */
public final class TestDirs {
  private TestDirs() {}

  public static Path create(String prefix) {
    try {
      Path base = Path.of(System.getProperty("java.io.tmpdir"));
      Files.createDirectories(base);
      return Files.createTempDirectory(base, prefix + "-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
