package io.dovetail.cli.demo;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Progress lines of the demo, each prefixed with the time since it started:
 * {@code [  12.3s] message}. Thread-safe (child processes' output arrives on relay threads).
 */
public final class Progress {
  private final PrintWriter out;
  private final long start = System.nanoTime();

  public Progress(PrintWriter out) {
    this.out = out;
  }

  public synchronized void line(String message) {
    double s = (System.nanoTime() - start) / 1e9;
    out.printf(Locale.ROOT, "[%6.1fs] %s%n", s, message);
    out.flush();
  }

  /** Text without a time prefix (tables, blank lines). */
  public synchronized void raw(String text) {
    out.print(text);
    out.flush();
  }
}
