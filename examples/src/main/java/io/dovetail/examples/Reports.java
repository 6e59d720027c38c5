package io.dovetail.examples;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;

/** Report files of the example jobs, which the demo and the benchmarks read. Stateless. */
public final class Reports {
  private Reports() {}

  /** Writes {@code report} through a temporary file, so readers never see half of it. */
  public static void write(Properties report, Path file, String comment) {
    try {
      Path abs = file.toAbsolutePath();
      Files.createDirectories(abs.getParent());
      Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp");
      try (OutputStream os = Files.newOutputStream(tmp)) {
        report.store(os, comment);
      }
      Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write report " + file, e);
    }
  }
}
