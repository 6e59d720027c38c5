package io.dovetail.cli.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * What one TeraSort run reported (the report file {@code TeraPipeline} writes): wall times of
 * the sort and the validation, shuffle bytes and records written and read, records sorted, and
 * the validation verdict. Immutable.
 */
public record RunReport(String label, long sortMillis, long validateMillis,
    long shuffleBytesWritten, long shuffleBytesRead, long shuffleRecordsWritten,
    long shuffleRecordsRead, long records, boolean valid, String problems) {

  /** Reads a report with the sort and validate steps. */
  public static RunReport read(String label, Path file) {
    Properties p = load(file);
    return new RunReport(label, number(p, "sort.wallMs"), number(p, "validate.wallMs"),
        number(p, "sort.shuffleBytesWritten"), number(p, "sort.shuffleBytesRead"),
        number(p, "sort.shuffleRecordsWritten"), number(p, "sort.shuffleRecordsRead"),
        number(p, "sort.records"), "true".equals(p.getProperty("validate.valid")),
        p.getProperty("validate.problems", ""));
  }

  /** The wall time of {@code step} (gen, sort, validate) in the report {@code file}. */
  public static long wallMillis(Path file, String step) {
    return number(load(file), step + ".wallMs");
  }

  private static Properties load(Path file) {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the report " + file, e);
    }
    return p;
  }

  private static long number(Properties p, String key) {
    String v = p.getProperty(key);
    if (v == null) {
      throw new IllegalArgumentException("the report has no " + key);
    }
    return Long.parseLong(v.trim());
  }
}
