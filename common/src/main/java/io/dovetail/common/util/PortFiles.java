package io.dovetail.common.util;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server's {@code --port-file}: it holds the bound port exactly while the server serves, so a
 * script or test that waits for it never reads a port of an earlier or failed run.
 */
public final class PortFiles {
  private static final Logger LOG = LoggerFactory.getLogger(PortFiles.class);

  private PortFiles() {}

  /** Writes {@code port} through a temporary file and an atomic move: never seen half-written. */
  public static void write(Path file, int port) throws IOException {
    Path target = file.toAbsolutePath();
    Files.createDirectories(target.getParent());
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    Files.writeString(tmp, port + "\n", StandardCharsets.UTF_8);
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** Removes the file (at start, and when the server stops or fails); logs what it cannot. */
  public static void delete(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      LOG.warn("Cannot remove port file {}: {}", file, e.toString());
    }
  }
}
