package io.dovetail.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Reads the port a server process writes once it is serving (servers take {@code --port-file}),
 * so tests can start many servers on port 0 and wait for readiness without sleeping.
 */
public final class PortFile {
  private PortFile() {}

  /** Waits until {@code file} holds a port number, failing early if {@code process} exits. */
  public static int await(Path file, JavaProcess process, Duration timeout) {
    return Await.value(timeout, "port file " + file + " of " + process, () -> {
      if (!process.isAlive()) {
        throw new AssertionError(process + " exited with " + process.exitValue()
            + " before writing " + file + ":\n" + process.logTail(60));
      }
      try {
        if (!Files.exists(file)) {
          return null;
        }
        String text = Files.readString(file, StandardCharsets.UTF_8).trim();
        return text.isEmpty() ? null : Integer.valueOf(text);
      } catch (IOException | NumberFormatException e) {
        return null;
      }
    });
  }
}
