package io.dovetail.cli.demo;

import io.dovetail.cli.CommandFailedException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Checks that the demo's fixed ports are free before anything starts, and names what holds a
 * busy one: on Linux the listening process (from {@code /proc}), elsewhere just "another
 * process". Stateless and thread-safe.
 */
public final class Ports {
  /** A port the demo will listen on, and what for. */
  public record Use(int port, String role) {}

  private Ports() {}

  /** Fails with one line per busy port, each naming the port, its role and its holder. */
  public static void requireFree(String host, List<Use> uses) {
    List<String> busy = new ArrayList<>();
    for (Use u : uses) {
      if (!isFree(host, u.port())) {
        busy.add("port " + u.port() + " on " + host + " (for the " + u.role() + ") is in use by "
            + owner(u.port()).orElse("another process"));
      }
    }
    if (!busy.isEmpty()) {
      throw new CommandFailedException(String.join("\n  ", busy) + "\n  Stop "
          + (busy.size() == 1 ? "it" : "them") + ", or choose other ports with --port-base "
          + "(the demo uses " + uses.size() + " consecutive ports from there).");
    }
  }

  /** True if a server socket can bind {@code host:port} right now. */
  public static boolean isFree(String host, int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getByName(host), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** "pid 123 (java ... MainClass)" for the process listening on TCP {@code port}, if known. */
  static Optional<String> owner(int port) {
    Set<String> inodes = new HashSet<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      inodes.addAll(listeningInodes(Path.of(table), port));
    }
    if (inodes.isEmpty()) {
      return Optional.empty();
    }
    try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path proc : procs) {
        if (holdsSocket(proc, inodes)) {
          return Optional.of("pid " + proc.getFileName() + " (" + commandLine(proc) + ")");
        }
      }
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
    return Optional.of("a process of another user");
  }

  /** Socket inodes in LISTEN state (0A) on {@code port} in one /proc/net table. */
  static Set<String> listeningInodes(Path table, int port) {
    Set<String> inodes = new HashSet<>();
    String hexPort = String.format(Locale.ROOT, ":%04X", port);
    try {
      for (String line : Files.readAllLines(table, StandardCharsets.US_ASCII)) {
        String[] f = line.trim().split("\\s+");
        // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
        if (f.length > 9 && f[1].endsWith(hexPort) && f[3].equals("0A")) {
          inodes.add(f[9]);
        }
      }
    } catch (IOException | RuntimeException e) {
      // No /proc (not Linux), or not readable: the holder stays unknown.
    }
    return inodes;
  }

  private static boolean holdsSocket(Path proc, Set<String> inodes) {
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
      for (Path fd : fds) {
        String target = Files.readSymbolicLink(fd).toString();
        if (target.startsWith("socket:[")
            && inodes.contains(target.substring(8, target.length() - 1))) {
          return true;
        }
      }
    } catch (IOException | RuntimeException e) {
      // Another user's process, or it exited meanwhile.
    }
    return false;
  }

  /** The command line, shortened: the program, then its first argument that is no option. */
  static String commandLine(Path proc) {
    try {
      String[] args = new String(Files.readAllBytes(proc.resolve("cmdline")),
          StandardCharsets.UTF_8).split("\0");
      if (args.length == 0 || args[0].isEmpty()) {
        return "unknown command";
      }
      String program = Path.of(args[0]).getFileName().toString();
      String main = null;
      for (int i = 1; i < args.length; i++) {
        if (args[i].equals("-cp") || args[i].equals("-classpath") || args[i].equals("--class")) {
          i++;
        } else if (!args[i].startsWith("-")) {
          main = args[i];
          if (i + 1 < args.length && !args[i + 1].startsWith("-")) {
            main += " " + args[i + 1];
          }
          break;
        }
      }
      String text = main == null ? program : program + " " + main;
      return text.length() > 120 ? text.substring(0, 117) + "..." : text;
    } catch (IOException | RuntimeException e) {
      return "unknown command";
    }
  }
}
