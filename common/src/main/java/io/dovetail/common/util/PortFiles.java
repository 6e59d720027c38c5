package io.dovetail.common.util;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server's {@code --port-file}: written once the server serves, removed when it stops, so a
 * script or test that removes it before starting a server and waits for it reads that server's
 * port.
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

  /**
   * Removes the file if it still names {@code port}: a server stopping takes its own readiness
   * marker away, not that of another run given the same path. Logs what it cannot do.
   */
  public static void deleteIfOwned(Path file, int port) {
    try {
      if (Files.readString(file, StandardCharsets.UTF_8).trim().equals(Integer.toString(port))) {
        Files.deleteIfExists(file);
      }
    } catch (java.nio.file.NoSuchFileException e) {
      // already gone
    } catch (IOException e) {
      LOG.warn("Cannot remove port file {}: {}", file, e.toString());
    }
  }
}
